#include "mlx_common.h"

namespace mlx {

namespace {
thread_local std::string last_error;
}

void set_error(const char* message) { last_error = message ? message : "unknown native error"; }
const char* last_error_ptr() { return last_error.c_str(); }

}  // namespace mlx

// Valid until the next failing call on this thread; the managed side copies it at once.
MLX_EXPORT const char* MLX_last_error() { return mlx::last_error_ptr(); }
