// Shared plumbing of the MLNetExplain libtorch shim.
// Every export is extern "C", returns 0 on success or 1 on error, and stores the error text in a
// thread-local buffer that the managed side reads right after the failing call on the same thread.
#pragma once

#include <ATen/ATen.h>
#include <cstdint>
#include <string>

#define MLX_EXPORT extern "C" __attribute__((visibility("default")))

namespace mlx {

void set_error(const char* message);
const char* last_error_ptr();

// Tensors cross the boundary as heap-allocated at::Tensor owned by a managed SafeHandle.
inline at::Tensor* wrap(at::Tensor t) { return new at::Tensor(std::move(t)); }

}  // namespace mlx

// Wraps an export body: converts every C++ exception into status 1 plus a message, so nothing unwinds
// into the CLR (which would abort the process).
#define MLX_TRY try {
#define MLX_CATCH                                                   \
  return 0;                                                         \
  }                                                                 \
  catch (const c10::Error& e) {                                     \
    mlx::set_error(e.what_without_backtrace());                     \
  }                                                                 \
  catch (const std::exception& e) {                                 \
    mlx::set_error(e.what());                                       \
  }                                                                 \
  catch (...) {                                                     \
    mlx::set_error("unknown native exception");                     \
  }                                                                 \
  return 1;
