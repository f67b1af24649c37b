// Process-wide runtime settings: threads, seeding, random generators and devices.
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <ATen/detail/CUDAHooksInterface.h>

#include "mlx_common.h"

MLX_EXPORT int MLXRuntime_set_num_threads(int32_t n) {
  MLX_TRY
  at::set_num_threads(n);
  MLX_CATCH
}

MLX_EXPORT int32_t MLXRuntime_get_num_threads() { return at::get_num_threads(); }

MLX_EXPORT int MLXRuntime_manual_seed(uint64_t seed) {
  MLX_TRY
  at::manual_seed(seed);
  MLX_CATCH
}

MLX_EXPORT int32_t MLXRuntime_cuda_device_count() {
  try {
    return at::hasCUDA() ? static_cast<int32_t>(at::detail::getCUDAHooks().getNumGPUs()) : 0;
  } catch (...) {
    return 0;
  }
}

// A private CPU generator: stochastic stages own one each, so their streams never interleave across threads.
MLX_EXPORT int MLXGenerator_new(uint64_t seed, at::Generator** out) {
  MLX_TRY
  *out = new at::Generator(at::make_generator<at::CPUGeneratorImpl>(seed));
  MLX_CATCH
}

MLX_EXPORT void MLXGenerator_free(at::Generator* g) { delete g; }

MLX_EXPORT int MLXGenerator_set_seed(at::Generator* g, uint64_t seed) {
  MLX_TRY
  std::lock_guard<std::mutex> lock(g->mutex());
  g->set_current_seed(seed);
  MLX_CATCH
}
