#include "models/neural/fused_ops.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <mutex>
#include <unordered_map>

namespace reclab::models::neural {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

namespace {

// ---------------------------------------------------------------------------------------------
// Dropout

constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ULL;

/// splitmix64's output function: hashing seed + (n + 1) * golden gives the n-th output of the
/// splitmix64 generator started at `seed`, so any element's bits can be drawn independently.
inline std::uint64_t splitmix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// A 64-bit seed from LibTorch's default CPU generator (so torch::manual_seed fixes the masks).
std::uint64_t drawSeed() {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  return gen.get<at::CPUGeneratorImpl>()->random64();
}

/// mask[i] = scale where element i is kept, else 0, for elements [2 lo, 2 hi) of n: pair j
/// takes the low and high halves of the generator's j-th output as two uniform 32-bit draws,
/// kept when below (1 - p) * 2^32.
void dropoutMask(std::uint64_t seed, std::uint64_t keepBelow, float scale, float* __restrict mask,
                 std::int64_t lo, std::int64_t hi, std::int64_t n) {
  for (std::int64_t j = lo; j < hi; ++j) {
    const std::uint64_t r = splitmix(seed + static_cast<std::uint64_t>(j + 1) * kGolden);
    const std::int64_t i = 2 * j;
    mask[i] = (r & 0xFFFFFFFFULL) < keepBelow ? scale : 0.0f;
    if (i + 1 < n) mask[i + 1] = (r >> 32) < keepBelow ? scale : 0.0f;
  }
}

void multiply(const float* __restrict a, const float* __restrict b, float* __restrict out,
              std::int64_t lo, std::int64_t hi) {
  for (std::int64_t i = lo; i < hi; ++i) out[i] = a[i] * b[i];
}

struct DropoutFn : torch::autograd::Function<DropoutFn> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& input, double p) {
    auto x = input.contiguous();
    const std::int64_t n = x.numel();
    // The mask holds 0 or 1 / (1 - p), as LibTorch's does: forward and backward are one product.
    auto mask = torch::empty(x.sizes());
    auto out = torch::empty_like(x);
    const std::uint64_t seed = drawSeed();
    const auto keepBelow = static_cast<std::uint64_t>(std::llround((1.0 - p) * 4294967296.0));
    const float scale = static_cast<float>(1.0 / (1.0 - p));
    const float* px = x.data_ptr<float>();
    float* pm = mask.data_ptr<float>();
    float* po = out.data_ptr<float>();
    at::parallel_for(0, (n + 1) / 2, 16384, [=](std::int64_t lo, std::int64_t hi) {
      dropoutMask(seed, keepBelow, scale, pm, lo, hi, n);
      multiply(px, pm, po, 2 * lo, std::min(n, 2 * hi));
    });
    ctx->save_for_backward({mask});
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto mask = ctx->get_saved_variables()[0];
    auto g = grads[0].contiguous();
    auto gx = torch::empty_like(g);
    const float* pg = g.data_ptr<float>();
    const float* pm = mask.data_ptr<float>();
    float* po = gx.data_ptr<float>();
    at::parallel_for(0, g.numel(), 32768,
                     [=](std::int64_t lo, std::int64_t hi) { multiply(pg, pm, po, lo, hi); });
    return {gx, torch::Tensor()};
  }
};

// ---------------------------------------------------------------------------------------------
// Conv1D + ReLU + global max pooling

struct ConvReluMaxFn : torch::autograd::Function<ConvReluMaxFn> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& input,
                               const torch::Tensor& weight, const torch::Tensor& bias) {
    auto x = input.contiguous();
    const std::int64_t batch = x.size(0), length = x.size(1);
    const std::int64_t filters = weight.size(0), kernel = weight.size(2);
    const std::int64_t positions = length - kernel + 1;
    // Weights as kernel x filters, so the inner loop runs over contiguous filters.
    auto wt = weight.detach().reshape({filters, kernel}).t().contiguous();
    auto b = bias.detach().contiguous();
    auto out = torch::empty({batch, filters});
    auto arg = torch::empty({batch, filters}, torch::kInt32);
    const float* px = x.data_ptr<float>();
    const float* pw = wt.data_ptr<float>();
    const float* pb = b.data_ptr<float>();
    float* po = out.data_ptr<float>();
    std::int32_t* pa = arg.data_ptr<std::int32_t>();
    at::parallel_for(0, batch, 8, [&](std::int64_t lo, std::int64_t hi) {
      std::vector<float> best(static_cast<std::size_t>(filters)), acc(best.size());
      std::vector<std::int32_t> at(best.size());
      for (std::int64_t s = lo; s < hi; ++s) {
        const float* xs = px + s * length;
        std::fill(best.begin(), best.end(), -std::numeric_limits<float>::infinity());
        std::fill(at.begin(), at.end(), 0);
        for (std::int64_t t = 0; t < positions; ++t) {
          for (std::int64_t f = 0; f < filters; ++f) acc[f] = pb[f];
          for (std::int64_t k = 0; k < kernel; ++k) {
            const float v = xs[t + k];
            const float* wk = pw + k * filters;
            for (std::int64_t f = 0; f < filters; ++f) acc[f] += wk[f] * v;
          }
          for (std::int64_t f = 0; f < filters; ++f) {
            // A NaN is kept (as relu and max would), never turned into 0.
            const bool take = acc[f] > best[f] || (acc[f] != acc[f] && best[f] == best[f]);
            best[f] = take ? acc[f] : best[f];
            at[f] = take ? static_cast<std::int32_t>(t) : at[f];
          }
        }
        for (std::int64_t f = 0; f < filters; ++f) {
          po[s * filters + f] = (best[f] > 0 || best[f] != best[f]) ? best[f] : 0.0f;
          pa[s * filters + f] = at[f];
        }
      }
    });
    ctx->save_for_backward({x, weight, arg, out});
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto& x = saved[0];
    const auto& weight = saved[1];
    const auto& arg = saved[2];
    const auto& out = saved[3];
    auto g = grads[0].contiguous();
    const std::int64_t batch = x.size(0), length = x.size(1);
    const std::int64_t filters = weight.size(0), kernel = weight.size(2);
    const float* px = x.data_ptr<float>();
    const float* pg = g.data_ptr<float>();
    const float* po = out.data_ptr<float>();
    const std::int32_t* pa = arg.data_ptr<std::int32_t>();
    // The ReLU passes a gradient only where the pooled maximum is positive; the max passes it
    // only to the maximising position.
    auto gw = torch::zeros({filters, kernel});
    auto gb = torch::zeros({filters});
    float* pgw = gw.data_ptr<float>();
    float* pgb = gb.data_ptr<float>();
    for (std::int64_t s = 0; s < batch; ++s) {
      for (std::int64_t f = 0; f < filters; ++f) {
        const std::int64_t i = s * filters + f;
        if (po[i] <= 0) continue;  // relu's threshold_backward: a NaN output passes
        pgb[f] += pg[i];
        const float* xs = px + s * length + pa[i];
        for (std::int64_t k = 0; k < kernel; ++k) pgw[f * kernel + k] += pg[i] * xs[k];
      }
    }
    torch::Tensor gx;
    if (ctx->needs_input_grad(0)) {
      auto w = weight.detach().reshape({filters, kernel}).contiguous();
      const float* pw = w.data_ptr<float>();
      gx = torch::zeros({batch, length});
      float* pgx = gx.data_ptr<float>();
      at::parallel_for(0, batch, 64, [&](std::int64_t lo, std::int64_t hi) {
        for (std::int64_t s = lo; s < hi; ++s) {
          for (std::int64_t f = 0; f < filters; ++f) {
            const std::int64_t i = s * filters + f;
            if (po[i] <= 0) continue;  // relu's threshold_backward: a NaN output passes
            float* gs = pgx + s * length + pa[i];
            for (std::int64_t k = 0; k < kernel; ++k) gs[k] += pg[i] * pw[f * kernel + k];
          }
        }
      });
    }
    return {gx, ctx->needs_input_grad(1) ? gw.view(weight.sizes()) : torch::Tensor(),
            ctx->needs_input_grad(2) ? gb : torch::Tensor()};
  }
};

// ---------------------------------------------------------------------------------------------
// Adam / AdamW

bool cpuFloat(const torch::Tensor& t) {
  return t.device().is_cpu() && t.scalar_type() == torch::kFloat32 && t.is_contiguous();
}

struct ParamWork {
  torch::Tensor param;
  torch::Tensor grad;  ///< undefined: zero (a penalised tensor the loss did not reach)
  float twoLambda = 0;
  double gradSq = 0;   ///< |grad + 2 lambda w|^2
  double paramSq = 0;  ///< |w|^2, for the penalty's value
};

struct Sums {
  double g = 0, p = 0;
};

/// Sums of squares of (g + tl * w) and of w over [lo, hi), in double; g may be null (zero).
Sums sumSquares(const float* __restrict w, const float* __restrict g, float tl, std::int64_t lo,
                std::int64_t hi) {
  // `omp simd reduction` lets the compiler vectorise the sums (reordering their additions).
  double sg = 0, sp = 0;
  if (g == nullptr) {
#pragma omp simd reduction(+ : sp)
    for (std::int64_t i = lo; i < hi; ++i) sp += static_cast<double>(w[i]) * w[i];
    return {static_cast<double>(tl) * tl * sp, sp};
  }
  if (tl == 0) {
#pragma omp simd reduction(+ : sg)
    for (std::int64_t i = lo; i < hi; ++i) sg += static_cast<double>(g[i]) * g[i];
    return {sg, 0.0};
  }
#pragma omp simd reduction(+ : sg, sp)
  for (std::int64_t i = lo; i < hi; ++i) {
    const float gi = g[i] + tl * w[i];
    sg += static_cast<double>(gi) * gi;
    sp += static_cast<double>(w[i]) * w[i];
  }
  return {sg, sp};
}

/// Sums of squares of (g + 2 lambda w) and of w.
void measure(ParamWork& w) {
  const float* pp = w.param.data_ptr<float>();
  const float* pg = w.grad.defined() ? w.grad.data_ptr<float>() : nullptr;
  const float tl = w.twoLambda;
  const auto sums = at::parallel_reduce(
      std::int64_t{0}, w.param.numel(), std::int64_t{65536}, Sums{},
      [=](std::int64_t lo, std::int64_t hi, Sums s) {
        const auto part = sumSquares(pp, pg, tl, lo, hi);
        return Sums{s.g + part.g, s.p + part.p};
      },
      [](Sums a, Sums b) { return Sums{a.g + b.g, a.p + b.p}; });
  w.gradSq = sums.g;
  w.paramSq = sums.p;
}

/// The per-element constants of one tensor's Adam / AdamW update.
struct AdamScalars {
  float scale;     ///< clipping factor on (g + tl * w)
  float tl;        ///< 2 * L2 coefficient
  float l2;        ///< Adam's weight_decay (added to the gradient after clipping)
  float decay;     ///< AdamW's 1 - lr * weight_decay
  float b1, b2, c1, c2, sqrtBc2, eps, stepSize;
};

template <bool Decoupled>
void adamKernel(float* __restrict w, const float* __restrict g, float* __restrict m,
                float* __restrict v, std::int64_t lo, std::int64_t hi, const AdamScalars k) {
  for (std::int64_t i = lo; i < hi; ++i) {
    const float wi = w[i];
    float gi = (g[i] + k.tl * wi) * k.scale;
    if constexpr (!Decoupled) gi += k.l2 * wi;
    const float mi = m[i] * k.b1 + k.c1 * gi;
    const float vi = v[i] * k.b2 + k.c2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    const float base = Decoupled ? wi * k.decay : wi;
    w[i] = base - k.stepSize * (mi / (std::sqrt(vi) / k.sqrtBc2 + k.eps));
  }
}

template <typename Options>
bool optionsFusable(const torch::optim::OptimizerOptions& o) {
  return !static_cast<const Options&>(o).amsgrad();
}

template <typename Options, typename State>
double adamStep(torch::optim::Optimizer& opt, const FusedStepOptions& o, bool decoupled) {
  torch::NoGradGuard noGrad;
  std::unordered_map<const void*, double> lambdas;
  for (const auto& t : o.l2)
    if (t.coefficient > 0 && t.weight.defined()) lambdas[t.weight.unsafeGetTensorImpl()] += t.coefficient;

  struct Group {
    Options* options;
    std::vector<ParamWork> params;
  };
  std::vector<Group> groups;
  double penalty = 0;
  double totalSq = 0;
  const bool measureAll = o.clipNorm > 0;
  for (auto& group : opt.param_groups()) {
    Group g{&static_cast<Options&>(group.options()), {}};
    for (auto& p : group.params()) {
      ParamWork w;
      auto it = lambdas.find(p.unsafeGetTensorImpl());
      const double lambda = it == lambdas.end() ? 0.0 : it->second;
      if (!p.grad().defined() && lambda == 0) continue;  // as LibTorch's Adam: untouched
      TORCH_CHECK(!p.grad().defined() || !p.grad().is_sparse(),
                  "the fused Adam step does not take sparse gradients");
      w.param = p;
      if (p.grad().defined()) w.grad = p.grad().contiguous();
      w.twoLambda = static_cast<float>(2.0 * lambda);
      if (measureAll || lambda != 0) measure(w);
      penalty += lambda * w.paramSq;
      totalSq += w.gradSq;
      g.params.push_back(std::move(w));
    }
    groups.push_back(std::move(g));
  }
  // Gradient scale: Keras clipnorm g * c / max(|g|, c) per tensor, or torch's
  // clip_grad_norm_ (c / (|G| + 1e-6) when below 1) over all of them.
  float globalScale = 1.0f;
  if (o.clipNorm > 0 && o.clipGlobal) {
    const double coef = o.clipNorm / (std::sqrt(totalSq) + 1e-6);
    if (!(coef >= 1)) globalScale = static_cast<float>(coef);  // a NaN norm spreads, as in torch
  }

  // A non-finite penalty ends training (the trainer's guard): leave weights and state as the
  // batch found them.
  if (!std::isfinite(penalty)) return penalty;

  auto& states = opt.state();
  for (auto& group : groups) {
    const auto& options = *group.options;
    const double beta1 = std::get<0>(options.betas());
    const double beta2 = std::get<1>(options.betas());
    const float eps = static_cast<float>(options.eps());
    const float wd = static_cast<float>(options.weight_decay());
    for (auto& w : group.params) {
      auto& p = w.param;
      const auto key = c10::guts::to_string(p.unsafeGetTensorImpl());
      auto found = states.find(key);
      if (found == states.end()) {
        auto state = std::make_unique<State>();
        state->step(0);
        state->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        state->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        found = states.emplace(key, std::move(state)).first;
      }
      auto& state = static_cast<State&>(*found->second);
      for (const auto* moment : {&state.exp_avg(), &state.exp_avg_sq()}) {
        TORCH_CHECK(moment->defined() && moment->sizes() == p.sizes() && cpuFloat(*moment),
                    "the fused Adam step found optimizer state of another shape or type than its "
                    "parameter (", moment->sizes(), " for ", p.sizes(), ")");
      }
      state.step(state.step() + 1);
      const double bc1 = 1 - std::pow(beta1, static_cast<double>(state.step()));
      const double bc2 = 1 - std::pow(beta2, static_cast<double>(state.step()));
      float scale = globalScale;
      if (o.clipNorm > 0 && !o.clipGlobal) {
        scale = static_cast<float>(o.clipNorm / std::max(std::sqrt(w.gradSq), o.clipNorm));
      }
      AdamScalars k{};
      k.scale = scale;
      k.tl = w.twoLambda;
      k.l2 = decoupled ? 0.0f : wd;
      k.decay = decoupled ? static_cast<float>(1.0 - options.lr() * options.weight_decay()) : 1.0f;
      k.b1 = static_cast<float>(beta1);
      k.b2 = static_cast<float>(beta2);
      k.c1 = static_cast<float>(1 - beta1);
      k.c2 = static_cast<float>(1 - beta2);
      k.sqrtBc2 = static_cast<float>(std::sqrt(bc2));
      k.eps = eps;
      k.stepSize = static_cast<float>(options.lr() / bc1);
      // A penalised tensor the loss did not reach has a zero loss gradient.
      if (!w.grad.defined()) w.grad = torch::zeros_like(p);
      float* pp = p.template data_ptr<float>();
      const float* pg = w.grad.template data_ptr<float>();
      float* pm = state.exp_avg().template data_ptr<float>();
      float* pv = state.exp_avg_sq().template data_ptr<float>();
      at::parallel_for(0, p.numel(), 32768, [=](std::int64_t lo, std::int64_t hi) {
        if (decoupled) {
          adamKernel<true>(pp, pg, pm, pv, lo, hi, k);
        } else {
          adamKernel<false>(pp, pg, pm, pv, lo, hi, k);
        }
      });
      // Written through raw pointers: tell autograd the parameter changed in place.
      torch::autograd::impl::bump_version(p);
    }
  }
  return penalty;
}

}  // namespace

torch::Tensor fusedDropout(const torch::Tensor& x, double p, bool training) {
  TORCH_CHECK(p >= 0 && p <= 1, "dropout probability has to be between 0 and 1, but got ", p);
  if (!training || p == 0) return x;
  if (p == 1) return x * 0;
  if (x.scalar_type() != torch::kFloat32 || !x.device().is_cpu()) return torch::dropout(x, p, true);
  return DropoutFn::apply(x, p);
}

torch::Tensor engineDropout(const torch::Tensor& x, double p, bool training, bool fused) {
  return fused ? fusedDropout(x, p, training) : torch::dropout(x, p, training);
}

torch::Tensor conv1dReluMaxPool(const torch::Tensor& x, const torch::Tensor& weight,
                                const torch::Tensor& bias) {
  TORCH_CHECK(x.dim() == 2 && weight.dim() == 3 && weight.size(1) == 1,
              "conv1dReluMaxPool: x must be B x L and weight F x 1 x K");
  TORCH_CHECK(weight.size(2) <= x.size(1), "conv1dReluMaxPool: kernel longer than the sequence");
  TORCH_CHECK(!bias.defined() || (bias.dim() == 1 && bias.size(0) == weight.size(0)),
              "conv1dReluMaxPool: bias must have one value per filter");
  const bool fusable = x.scalar_type() == torch::kFloat32 && weight.scalar_type() == torch::kFloat32 &&
                       x.device().is_cpu() && (!bias.defined() || bias.scalar_type() == torch::kFloat32);
  if (!fusable) {
    auto y = torch::conv1d(x.unsqueeze(1), weight, bias);
    return std::get<0>(torch::relu(y).max(2));
  }
  // LibTorch's custom functions take defined tensors only: no bias is a zero bias.
  return ConvReluMaxFn::apply(x, weight, bias.defined() ? bias : torch::zeros({weight.size(0)}));
}

bool canFuseStep(torch::optim::Optimizer& optimizer, const std::vector<L2Term>& l2) {
  const bool adam = dynamic_cast<torch::optim::Adam*>(&optimizer) != nullptr;
  const bool adamw = dynamic_cast<torch::optim::AdamW*>(&optimizer) != nullptr;
  if (!adam && !adamw) return false;
  for (auto& group : optimizer.param_groups()) {
    const bool ok = adam ? optionsFusable<torch::optim::AdamOptions>(group.options())
                         : optionsFusable<torch::optim::AdamWOptions>(group.options());
    if (!ok) return false;
    for (auto& p : group.params())
      if (!cpuFloat(p)) return false;
  }
  for (const auto& term : l2) {
    if (term.coefficient == 0) continue;
    if (term.coefficient < 0 || !term.weight.defined()) return false;
    bool found = false;
    for (auto& group : optimizer.param_groups())
      for (auto& p : group.params()) found = found || p.unsafeGetTensorImpl() == term.weight.unsafeGetTensorImpl();
    if (!found) return false;
  }
  return true;
}

double fusedAdamStep(torch::optim::Optimizer& optimizer, const FusedStepOptions& options) {
  if (dynamic_cast<torch::optim::AdamW*>(&optimizer)) {
    return adamStep<torch::optim::AdamWOptions, torch::optim::AdamWParamState>(optimizer, options, true);
  }
  TORCH_CHECK(dynamic_cast<torch::optim::Adam*>(&optimizer), "fusedAdamStep needs Adam or AdamW");
  return adamStep<torch::optim::AdamOptions, torch::optim::AdamParamState>(optimizer, options, false);
}

}  // namespace reclab::models::neural
