// Generic operator calls through the c10 dispatcher. One boxed entry point reaches every ATen operator
// (autograd included) by schema name, which keeps the shim small and identical across libtorch 1.13 and 2.x.
#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/stack.h>

#include "mlx_common.h"

namespace {

// Argument kinds; mirrored by NativeArgKind in the managed binding.
enum ArgKind : int32_t {
  kNone = 0,
  kTensor = 1,
  kInt = 2,
  kDouble = 3,
  kBool = 4,
  kIntList = 5,
  kTensorList = 6,
  kString = 7,
  kDevice = 8,
  kGenerator = 9,
  kDoubleList = 10,
  kOptionalTensorList = 11,
};

struct Arg {
  int32_t kind;
  int32_t count;
  int64_t i;
  double d;
  void* p;
};

bool expects_float(const c10::TypePtr& type) {
  auto t = type;
  if (auto opt = t->cast<c10::OptionalType>()) t = opt->getElementType();
  return t->kind() == c10::TypeKind::FloatType;
}

c10::IValue to_ivalue(const Arg& a, const c10::Argument& formal) {
  switch (a.kind) {
    case kNone:
      return c10::IValue();
    case kTensor:
      return a.p ? c10::IValue(*static_cast<at::Tensor*>(a.p)) : c10::IValue();
    case kInt:
      if (expects_float(formal.type())) return c10::IValue(static_cast<double>(a.i));
      return c10::IValue(a.i);
    case kDouble:
      return c10::IValue(a.d);
    case kBool:
      return c10::IValue(a.i != 0);
    case kIntList: {
      auto data = static_cast<const int64_t*>(a.p);
      return c10::IValue(std::vector<int64_t>(data, data + a.count));
    }
    case kDoubleList: {
      auto data = static_cast<const double*>(a.p);
      return c10::IValue(std::vector<double>(data, data + a.count));
    }
    case kTensorList: {
      auto data = static_cast<at::Tensor* const*>(a.p);
      c10::List<at::Tensor> list;
      list.reserve(a.count);
      for (int32_t k = 0; k < a.count; ++k) list.push_back(*data[k]);
      return c10::IValue(list);
    }
    case kOptionalTensorList: {
      auto data = static_cast<at::Tensor* const*>(a.p);
      c10::List<c10::optional<at::Tensor>> list;
      list.reserve(a.count);
      for (int32_t k = 0; k < a.count; ++k) {
        list.push_back(data[k] ? c10::optional<at::Tensor>(*data[k]) : c10::nullopt);
      }
      return c10::IValue(list);
    }
    case kString:
      return c10::IValue(std::string(static_cast<const char*>(a.p)));
    case kDevice:
      return c10::IValue(c10::Device(static_cast<c10::DeviceType>(a.i), static_cast<c10::DeviceIndex>(a.count)));
    case kGenerator:
      return c10::IValue(*static_cast<at::Generator*>(a.p));
    default:
      throw std::invalid_argument("unknown argument kind " + std::to_string(a.kind) + " for '" + formal.name() + "'");
  }
}

}  // namespace

// Looks an operator up once; the handle lives for the process (operators are never unregistered here).
MLX_EXPORT int MLXOp_find(const char* name, const char* overload, void** handle) {
  MLX_TRY
  auto op = c10::Dispatcher::singleton().findSchemaOrThrow(name, overload);
  *handle = new c10::OperatorHandle(op);
  MLX_CATCH
}

// Calls an operator with positional arguments; missing trailing arguments take the schema's defaults.
// Tensor results land in outs (new handles), a scalar result in scalar_out / int_out.
MLX_EXPORT int MLXOp_call(void* handle, const Arg* args, int32_t nargs, at::Tensor** outs, int32_t max_outs,
                          int32_t* n_outs, double* scalar_out, int64_t* int_out) {
  MLX_TRY
  auto& op = *static_cast<c10::OperatorHandle*>(handle);
  const auto& schema = op.schema();
  const auto& formals = schema.arguments();
  if (static_cast<size_t>(nargs) > formals.size()) {
    throw std::invalid_argument(schema.name() + " takes " + std::to_string(formals.size()) + " arguments, got " +
                                std::to_string(nargs));
  }
  torch::jit::Stack stack;
  stack.reserve(formals.size());
  for (int32_t k = 0; k < nargs; ++k) stack.push_back(to_ivalue(args[k], formals[k]));
  for (size_t k = nargs; k < formals.size(); ++k) {
    if (!formals[k].default_value()) {
      throw std::invalid_argument(schema.name() + ": missing argument '" + formals[k].name() + "'");
    }
    stack.push_back(*formals[k].default_value());
  }
  op.callBoxed(&stack);
  int32_t count = 0;
  auto push = [&](const at::Tensor& t) {
    if (count >= max_outs) throw std::length_error(schema.name() + " returned more tensors than expected");
    outs[count++] = t.defined() ? mlx::wrap(t) : nullptr;
  };
  for (auto& v : stack) {
    if (v.isTensor()) {
      push(v.toTensor());
    } else if (v.isTensorList()) {
      for (const at::Tensor& t : v.toTensorVector()) push(t);
    } else if (v.isDouble()) {
      *scalar_out = v.toDouble();
    } else if (v.isInt()) {
      *int_out = v.toInt();
      *scalar_out = static_cast<double>(v.toInt());
    } else if (v.isBool()) {
      *int_out = v.toBool() ? 1 : 0;
      *scalar_out = *int_out;
    } else if (!v.isNone()) {
      throw std::runtime_error(schema.name() + " returned an unsupported value kind " + v.tagKind());
    }
  }
  *n_outs = count;
  MLX_CATCH
}
