namespace MLNetExplain.Torch.Interop;

/// <summary>The ATen operators the binding calls, by schema name and overload (see native/mlx_ops.cpp).</summary>
internal static class Aten
{
    // Factories
    internal static readonly Op Zeros = new("aten::zeros");
    internal static readonly Op Ones = new("aten::ones");
    internal static readonly Op Full = new("aten::full");
    internal static readonly Op Empty = new("aten::empty", "memory_format");
    internal static readonly Op Arange = new("aten::arange", "start_step");
    internal static readonly Op Linspace = new("aten::linspace");
    internal static readonly Op ZerosLike = new("aten::zeros_like");
    internal static readonly Op OnesLike = new("aten::ones_like");
    internal static readonly Op FullLike = new("aten::full_like");
    internal static readonly Op Uniform_ = new("aten::uniform_");
    internal static readonly Op Normal_ = new("aten::normal_");
    internal static readonly Op Random_ = new("aten::random_", "from");
    internal static readonly Op Bernoulli = new("aten::bernoulli", "p");
    internal static readonly Op RandPerm = new("aten::randperm", "generator");

    // Conversion and copies
    internal static readonly Op ToDtype = new("aten::to", "dtype");
    internal static readonly Op ToDevice = new("aten::to", "device");
    internal static readonly Op Item = new("aten::item");
    internal static readonly Op Detach = new("aten::detach");
    internal static readonly Op Clone = new("aten::clone");
    internal static readonly Op Contiguous = new("aten::contiguous");
    internal static readonly Op Copy_ = new("aten::copy_");
    internal static readonly Op Zero_ = new("aten::zero_");
    internal static readonly Op Fill_ = new("aten::fill_", "Scalar");

    // Shape and indexing
    internal static readonly Op View = new("aten::view");
    internal static readonly Op Reshape = new("aten::reshape");
    internal static readonly Op Permute = new("aten::permute");
    internal static readonly Op Transpose = new("aten::transpose", "int");
    internal static readonly Op Flatten = new("aten::flatten", "using_ints");
    internal static readonly Op Squeeze = new("aten::squeeze");
    internal static readonly Op SqueezeDim = new("aten::squeeze", "dim");
    internal static readonly Op Unsqueeze = new("aten::unsqueeze");
    internal static readonly Op Expand = new("aten::expand");
    internal static readonly Op Repeat = new("aten::repeat");
    internal static readonly Op Flip = new("aten::flip");
    internal static readonly Op Cat = new("aten::cat");
    internal static readonly Op Stack = new("aten::stack");
    internal static readonly Op Slice = new("aten::slice", "Tensor");
    internal static readonly Op Narrow = new("aten::narrow");
    internal static readonly Op Select = new("aten::select", "int");
    internal static readonly Op Unbind = new("aten::unbind", "int");
    internal static readonly Op IndexSelect = new("aten::index_select");
    internal static readonly Op Index = new("aten::index", "Tensor");
    internal static readonly Op Gather = new("aten::gather");
    internal static readonly Op Scatter = new("aten::scatter", "src");
    internal static readonly Op ScatterValue = new("aten::scatter", "value");
    internal static readonly Op ScatterAdd = new("aten::scatter_add");
    internal static readonly Op MaskedFill = new("aten::masked_fill", "Scalar");
    internal static readonly Op MaskedFill_ = new("aten::masked_fill_", "Scalar");
    internal static readonly Op Where = new("aten::where", "self");
    internal static readonly Op Clamp = new("aten::clamp");
    internal static readonly Op ClampTensor = new("aten::clamp", "Tensor");
    internal static readonly Op Clamp_ = new("aten::clamp_");
    internal static readonly Op OneHot = new("aten::one_hot");

    // Arithmetic
    internal static readonly Op Add = new("aten::add", "Tensor");
    internal static readonly Op AddScalar = new("aten::add", "Scalar");
    internal static readonly Op Sub = new("aten::sub", "Tensor");
    internal static readonly Op SubScalar = new("aten::sub", "Scalar");
    internal static readonly Op RSubScalar = new("aten::rsub", "Scalar");
    internal static readonly Op Mul = new("aten::mul", "Tensor");
    internal static readonly Op MulScalar = new("aten::mul", "Scalar");
    internal static readonly Op Div = new("aten::div", "Tensor");
    internal static readonly Op DivScalar = new("aten::div", "Scalar");
    internal static readonly Op Neg = new("aten::neg");
    internal static readonly Op Add_ = new("aten::add_", "Tensor");
    internal static readonly Op AddScalar_ = new("aten::add_", "Scalar");
    internal static readonly Op Sub_ = new("aten::sub_", "Tensor");
    internal static readonly Op Mul_ = new("aten::mul_", "Tensor");
    internal static readonly Op MulScalar_ = new("aten::mul_", "Scalar");
    internal static readonly Op Div_ = new("aten::div_", "Tensor");
    internal static readonly Op DivScalar_ = new("aten::div_", "Scalar");
    internal static readonly Op Addcmul_ = new("aten::addcmul_");
    internal static readonly Op Addcdiv_ = new("aten::addcdiv_");
    internal static readonly Op Lerp_ = new("aten::lerp_", "Scalar");
    internal static readonly Op Maximum = new("aten::maximum");
    internal static readonly Op Minimum = new("aten::minimum");

    // Comparisons
    internal static readonly Op Eq = new("aten::eq", "Tensor");
    internal static readonly Op EqScalar = new("aten::eq", "Scalar");
    internal static readonly Op Ne = new("aten::ne", "Tensor");
    internal static readonly Op NeScalar = new("aten::ne", "Scalar");
    internal static readonly Op Lt = new("aten::lt", "Tensor");
    internal static readonly Op LtScalar = new("aten::lt", "Scalar");
    internal static readonly Op Le = new("aten::le", "Tensor");
    internal static readonly Op LeScalar = new("aten::le", "Scalar");
    internal static readonly Op Gt = new("aten::gt", "Tensor");
    internal static readonly Op GtScalar = new("aten::gt", "Scalar");
    internal static readonly Op Ge = new("aten::ge", "Tensor");
    internal static readonly Op GeScalar = new("aten::ge", "Scalar");
    internal static readonly Op IsNan = new("aten::isnan");
    internal static readonly Op LogicalAnd = new("aten::logical_and");
    internal static readonly Op LogicalOr = new("aten::logical_or");
    internal static readonly Op LogicalNot = new("aten::logical_not");

    // Elementwise functions
    internal static readonly Op Abs = new("aten::abs");
    internal static readonly Op Sign = new("aten::sign");
    internal static readonly Op Exp = new("aten::exp");
    internal static readonly Op Log = new("aten::log");
    internal static readonly Op Sqrt = new("aten::sqrt");
    internal static readonly Op Rsqrt = new("aten::rsqrt");
    internal static readonly Op Square = new("aten::square");
    internal static readonly Op PowScalar = new("aten::pow", "Tensor_Scalar");
    internal static readonly Op PowTensor = new("aten::pow", "Tensor_Tensor");
    internal static readonly Op Sin = new("aten::sin");
    internal static readonly Op Cos = new("aten::cos");
    internal static readonly Op Floor = new("aten::floor");
    internal static readonly Op Round = new("aten::round");

    // Reductions
    internal static readonly Op Sum = new("aten::sum");
    internal static readonly Op SumDim = new("aten::sum", "dim_IntList");
    internal static readonly Op Mean = new("aten::mean");
    internal static readonly Op MeanDim = new("aten::mean", "dim");
    internal static readonly Op Max = new("aten::max");
    internal static readonly Op MaxDim = new("aten::max", "dim");
    internal static readonly Op Min = new("aten::min");
    internal static readonly Op MinDim = new("aten::min", "dim");
    internal static readonly Op Argmax = new("aten::argmax");
    internal static readonly Op Argmin = new("aten::argmin");
    internal static readonly Op TopK = new("aten::topk");
    internal static readonly Op Sort = new("aten::sort");
    internal static readonly Op Argsort = new("aten::argsort");
    internal static readonly Op Norm = new("aten::norm", "Scalar");
    internal static readonly Op NormDim = new("aten::norm", "ScalarOpt_dim");
    internal static readonly Op StdDim = new("aten::std", "dim");
    internal static readonly Op VarDim = new("aten::var", "dim");
    internal static readonly Op Std = new("aten::std");
    internal static readonly Op Var = new("aten::var");
    internal static readonly Op Cumsum = new("aten::cumsum");
    internal static readonly Op Logsumexp = new("aten::logsumexp");
    internal static readonly Op All = new("aten::all");
    internal static readonly Op Any = new("aten::any");
    internal static readonly Op Matmul = new("aten::matmul");

    // Neural-network functions
    internal static readonly Op Conv2d = new("aten::conv2d");
    internal static readonly Op ConvTranspose2d = new("aten::conv_transpose2d", "input");
    internal static readonly Op BatchNorm = new("aten::batch_norm");
    internal static readonly Op Linear = new("aten::linear");
    internal static readonly Op Relu = new("aten::relu");
    internal static readonly Op LeakyRelu = new("aten::leaky_relu");
    internal static readonly Op Softplus = new("aten::softplus");
    internal static readonly Op Sigmoid = new("aten::sigmoid");
    internal static readonly Op Tanh = new("aten::tanh");
    internal static readonly Op Softmax = new("aten::softmax", "int");
    internal static readonly Op LogSoftmax = new("aten::log_softmax", "int");
    internal static readonly Op MaxPool2d = new("aten::max_pool2d");
    internal static readonly Op AvgPool2d = new("aten::avg_pool2d");
    internal static readonly Op AdaptiveAvgPool2d = new("aten::adaptive_avg_pool2d");
    internal static readonly Op Dropout = new("aten::dropout");
    internal static readonly Op UpsampleNearest2d = new("aten::upsample_nearest2d");
    internal static readonly Op UpsampleBilinear2d = new("aten::upsample_bilinear2d");
    internal static readonly Op ConstantPadNd = new("aten::constant_pad_nd");
    internal static readonly Op ReflectionPad2d = new("aten::reflection_pad2d");
    internal static readonly Op ReplicationPad2d = new("aten::replication_pad2d");
    internal static readonly Op CrossEntropyLoss = new("aten::cross_entropy_loss");
    internal static readonly Op NllLoss = new("aten::nll_loss");
    internal static readonly Op MseLoss = new("aten::mse_loss");

    // Spectral
    internal static readonly Op FftFft2 = new("aten::fft_fft2");
    internal static readonly Op FftIfft2 = new("aten::fft_ifft2");
    internal static readonly Op ViewAsReal = new("aten::view_as_real");
    internal static readonly Op ViewAsComplex = new("aten::view_as_complex");
    internal static readonly Op Real = new("aten::real");
}
