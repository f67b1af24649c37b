// Autograd: backward, grad, grad mode, inference mode and gradient hooks with managed callbacks.
#include <c10/core/GradMode.h>
#include <c10/core/InferenceMode.h>
#include <torch/csrc/autograd/autograd.h>

#include "mlx_common.h"

namespace {

std::vector<at::Tensor> gather(at::Tensor* const* handles, int32_t n) {
  std::vector<at::Tensor> v;
  v.reserve(n);
  for (int32_t k = 0; k < n; ++k) v.push_back(handles[k] ? *handles[k] : at::Tensor());
  return v;
}

// retain_graph: -1 means libtorch's default (same as create_graph).
c10::optional<bool> retain(int32_t retain_graph) {
  return retain_graph < 0 ? c10::nullopt : c10::optional<bool>(retain_graph != 0);
}

}  // namespace

MLX_EXPORT int MLXAutograd_backward(at::Tensor* const* tensors, int32_t n, at::Tensor* const* grad_tensors,
                                    int32_t retain_graph, int32_t create_graph) {
  MLX_TRY
  auto grads = grad_tensors ? gather(grad_tensors, n) : std::vector<at::Tensor>();
  torch::autograd::backward(gather(tensors, n), grads, retain(retain_graph), create_graph != 0);
  MLX_CATCH
}

// results receives n_inputs handles; an input that the outputs do not depend on gives null
// (only when allow_unused is set, otherwise libtorch raises).
MLX_EXPORT int MLXAutograd_grad(at::Tensor* const* outputs, int32_t n_outputs, at::Tensor* const* inputs,
                                int32_t n_inputs, at::Tensor* const* grad_outputs, int32_t retain_graph,
                                int32_t create_graph, int32_t allow_unused, at::Tensor** results) {
  MLX_TRY
  auto grads = grad_outputs ? gather(grad_outputs, n_outputs) : std::vector<at::Tensor>();
  auto r = torch::autograd::grad(gather(outputs, n_outputs), gather(inputs, n_inputs), grads,
                                 retain(retain_graph), create_graph != 0, allow_unused != 0);
  for (int32_t k = 0; k < n_inputs; ++k) results[k] = r[k].defined() ? mlx::wrap(r[k]) : nullptr;
  MLX_CATCH
}

MLX_EXPORT int32_t MLXAutograd_is_grad_enabled() { return c10::GradMode::is_enabled() ? 1 : 0; }

MLX_EXPORT void MLXAutograd_set_grad_enabled(int32_t enabled) { c10::GradMode::set_enabled(enabled != 0); }

// Inference mode is an RAII guard in libtorch; the managed scope owns it and must end it on the same thread.
MLX_EXPORT int MLXAutograd_inference_mode_enter(void** guard) {
  MLX_TRY
  *guard = new c10::InferenceMode(true);
  MLX_CATCH
}

MLX_EXPORT void MLXAutograd_inference_mode_exit(void* guard) { delete static_cast<c10::InferenceMode*>(guard); }

// A managed gradient hook. It receives a new handle to the incoming gradient (which it owns) and may
// return a replacement handle (ownership passes here) or null to keep the gradient. On failure it
// writes a message into error (capacity bytes) and returns nonzero; the backward call then fails with it.
using HookCallback = int32_t (*)(int64_t key, at::Tensor* grad, at::Tensor** replacement, char* error,
                                 int32_t capacity);
// Told once when libtorch drops the hook (its tensor's graph node died), so the managed side can free the
// state the hook holds.
using HookRelease = void (*)(int64_t key);

namespace {
// Shared by every copy of the hook's std::function; the last copy's destruction notifies managed code once.
struct HookReleaser {
  HookReleaser(HookRelease r, int64_t k) : release(r), key(k) {}
  HookReleaser(const HookReleaser&) = delete;
  HookReleaser& operator=(const HookReleaser&) = delete;
  ~HookReleaser() { release(key); }
  HookRelease release;
  int64_t key;
};
}  // namespace

MLX_EXPORT int MLXTensor_register_hook(at::Tensor* t, HookCallback callback, HookRelease release, int64_t key) {
  MLX_TRY
  auto releaser = std::make_shared<HookReleaser>(release, key);
  t->register_hook([callback, releaser](const at::Tensor& grad) -> at::Tensor {
    at::Tensor* replacement = nullptr;
    char error[1024] = {0};
    if (callback(releaser->key, mlx::wrap(grad), &replacement, error, sizeof(error)) != 0) {
      throw std::runtime_error(std::string("gradient hook failed: ") + error);
    }
    if (!replacement) return at::Tensor();
    at::Tensor result = *replacement;
    delete replacement;
    return result;
  });
  MLX_CATCH
}
