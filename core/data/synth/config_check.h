#pragma once
/// Small validation helpers shared by the generator configs: each throws InputError with the
/// message "<what>: <field> must be <condition>, got <value>".

#include <cmath>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "common/errors.h"

namespace reclab::synth::check {

template <typename T>
[[noreturn]] void fail(std::string_view what, std::string_view field, std::string_view condition,
                       T value) {
  throw InputError(fmt::format("{}: {} must be {}, got {}", what, field, condition, value));
}

template <typename T>
void positive(std::string_view what, std::string_view field, T value) {
  if (!(value > 0)) fail(what, field, "> 0", value);
}

template <typename T>
void nonNegative(std::string_view what, std::string_view field, T value) {
  if (!(value >= 0)) fail(what, field, ">= 0", value);
}

template <typename T>
void inRange(std::string_view what, std::string_view field, T value, T lo, T hi) {
  if (!(value >= lo && value <= hi)) {
    fail(what, field, fmt::format("in [{}, {}]", lo, hi), value);
  }
}

inline void finite(std::string_view what, std::string_view field, double value) {
  if (!std::isfinite(value)) fail(what, field, "a finite number", value);
}

}  // namespace reclab::synth::check
