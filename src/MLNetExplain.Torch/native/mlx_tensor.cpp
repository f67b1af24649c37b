// Tensor handles: lifetime, creation from host memory, copies out, and metadata.
#include <cstring>
#include <sstream>

#include "mlx_common.h"

MLX_EXPORT void MLXTensor_free(at::Tensor* t) { delete t; }

// A second handle to the same tensor (same autograd identity), owned independently.
MLX_EXPORT int MLXTensor_share(at::Tensor* t, at::Tensor** out) {
  MLX_TRY
  *out = new at::Tensor(*t);
  MLX_CATCH
}

MLX_EXPORT int MLXTensor_from_data(const void* data, const int64_t* shape, int32_t ndim, int32_t dtype,
                                   at::Tensor** out) {
  MLX_TRY
  auto t = at::empty(at::IntArrayRef(shape, ndim), at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype)));
  if (t.numel() > 0) std::memcpy(t.data_ptr(), data, t.numel() * t.element_size());
  *out = mlx::wrap(std::move(t));
  MLX_CATCH
}

// Copies the elements in row-major order into dst (capacity in bytes), from any device or layout.
MLX_EXPORT int MLXTensor_copy_to(at::Tensor* t, void* dst, int64_t capacity) {
  MLX_TRY
  auto host = t->detach().to(at::kCPU).contiguous();
  const int64_t bytes = host.numel() * host.element_size();
  if (bytes > capacity) throw std::length_error("destination holds " + std::to_string(capacity) +
                                                " bytes, tensor needs " + std::to_string(bytes));
  if (bytes > 0) std::memcpy(dst, host.data_ptr(), bytes);
  MLX_CATCH
}

MLX_EXPORT int MLXTensor_shape(at::Tensor* t, int64_t* sizes, int32_t capacity, int32_t* ndim) {
  MLX_TRY
  *ndim = static_cast<int32_t>(t->dim());
  for (int32_t k = 0; k < *ndim && k < capacity; ++k) sizes[k] = t->size(k);
  MLX_CATCH
}

// dtype, device type and index, requires_grad, is_leaf packed into one call: metadata reads are frequent.
MLX_EXPORT int MLXTensor_info(at::Tensor* t, int32_t* dtype, int32_t* device_type, int32_t* device_index,
                              int32_t* requires_grad, int32_t* is_leaf, int64_t* numel) {
  MLX_TRY
  *dtype = static_cast<int32_t>(t->scalar_type());
  *device_type = static_cast<int32_t>(t->device().type());
  *device_index = t->device().index();
  *requires_grad = t->requires_grad() ? 1 : 0;
  *is_leaf = t->is_leaf() ? 1 : 0;
  *numel = t->numel();
  MLX_CATCH
}

MLX_EXPORT int MLXTensor_set_requires_grad(at::Tensor* t, int32_t value) {
  MLX_TRY
  t->set_requires_grad(value != 0);
  MLX_CATCH
}

// The accumulated gradient, or null when none has been computed yet.
MLX_EXPORT int MLXTensor_grad(at::Tensor* t, at::Tensor** out) {
  MLX_TRY
  const auto& g = t->grad();
  *out = g.defined() ? mlx::wrap(g) : nullptr;
  MLX_CATCH
}

// Replaces the accumulated gradient; null clears it (the cheap "zero_grad(set_to_none)").
MLX_EXPORT int MLXTensor_set_grad(at::Tensor* t, at::Tensor* grad) {
  MLX_TRY
  t->mutable_grad() = grad ? *grad : at::Tensor();
  MLX_CATCH
}

MLX_EXPORT int MLXTensor_retain_grad(at::Tensor* t) {
  MLX_TRY
  t->retain_grad();
  MLX_CATCH
}

// Makes dst share src's storage and metadata in place (used to load weights into existing parameters
// without breaking references that optimisers hold).
MLX_EXPORT int MLXTensor_set_data(at::Tensor* dst, at::Tensor* src) {
  MLX_TRY
  dst->set_data(*src);
  MLX_CATCH
}

MLX_EXPORT int MLXTensor_to_string(at::Tensor* t, char* buffer, int32_t capacity, int32_t* length) {
  MLX_TRY
  std::ostringstream s;
  s << *t;
  auto text = s.str();
  *length = static_cast<int32_t>(text.size());
  if (capacity > 0) {
    auto n = std::min<size_t>(text.size(), capacity - 1);
    std::memcpy(buffer, text.data(), n);
    buffer[n] = '\0';
  }
  MLX_CATCH
}
