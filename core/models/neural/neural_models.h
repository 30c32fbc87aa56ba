#pragma once
/// The LibTorch models' entry points. This header includes no torch headers: it is all that
/// code outside core/models/neural/ sees of LibTorch.

namespace reclab::models {
class Registry;
}

namespace reclab::models::neural {

/// Registers every LibTorch model with its schema and factory.
void registerNeuralModels(Registry& registry);

/// Version string of the linked LibTorch ("1.13.1"), for the reproducibility record.
const char* torchVersion();

}  // namespace reclab::models::neural
