using MLNetExplain.Torch.Interop;

namespace MLNetExplain.Torch;

public sealed partial class Tensor
{
    /// <summary>A view with a new shape (one size may be -1); the data must be laid out compatibly.</summary>
    public Tensor View(params long[] shape) => Aten.View.Call(this, shape);

    /// <summary>A tensor with a new shape, copying only when a view is impossible.</summary>
    public Tensor Reshape(params long[] shape) => Aten.Reshape.Call(this, shape);

    /// <summary>Reorders the dimensions.</summary>
    public Tensor Permute(params long[] dims) => Aten.Permute.Call(this, dims);

    /// <summary>Swaps two dimensions.</summary>
    public Tensor Transpose(long dim0, long dim1) => Aten.Transpose.Call(this, dim0, dim1);

    /// <summary>Merges dimensions start..end into one.</summary>
    public Tensor Flatten(long startDim = 0, long endDim = -1) => Aten.Flatten.Call(this, startDim, endDim);

    /// <summary>Removes all size-1 dimensions, or only <paramref name="dim"/>.</summary>
    public Tensor Squeeze(long? dim = null) => dim is { } d ? Aten.SqueezeDim.Call(this, d) : Aten.Squeeze.Call(this);

    /// <summary>Inserts a size-1 dimension at <paramref name="dim"/>.</summary>
    public Tensor Unsqueeze(long dim) => Aten.Unsqueeze.Call(this, dim);

    /// <summary>Broadcasts size-1 dimensions to <paramref name="shape"/> without copying (-1 keeps a size).</summary>
    public Tensor Expand(params long[] shape) => Aten.Expand.Call(this, shape);

    /// <summary>Tiles the tensor along each dimension.</summary>
    public Tensor Repeat(params long[] repeats) => Aten.Repeat.Call(this, repeats);

    /// <summary>Reverses the order along the given dimensions.</summary>
    public Tensor Flip(params long[] dims) => Aten.Flip.Call(this, dims);

    /// <summary>Concatenates tensors along an existing dimension.</summary>
    public static Tensor Cat(Tensor[] tensors, long dim = 0) => Aten.Cat.Call(tensors, dim);

    /// <summary>Stacks tensors along a new dimension.</summary>
    public static Tensor Stack(Tensor[] tensors, long dim = 0) => Aten.Stack.Call(tensors, dim);

    /// <summary>Elements start..end (exclusive) with a step along one dimension, as a view.</summary>
    public Tensor Slice(long dim, long? start, long? end, long step = 1) =>
        Aten.Slice.Call(this, dim, start is { } s ? s : OpArg.None, end is { } e ? e : OpArg.None, step);

    /// <summary><paramref name="length"/> elements from <paramref name="start"/> along one dimension, as a view.</summary>
    public Tensor Narrow(long dim, long start, long length) => Aten.Narrow.Call(this, dim, start, length);

    /// <summary>The slice at <paramref name="index"/> along <paramref name="dim"/>, dropping that dimension.</summary>
    public Tensor Select(long dim, long index) => Aten.Select.Call(this, dim, index);

    /// <summary>Splits into the slices along a dimension.</summary>
    public Tensor[] Unbind(long dim = 0) => Aten.Unbind.CallMany(this, dim);

    /// <summary>Picks entries along a dimension by an int64 index vector.</summary>
    public Tensor IndexSelect(long dim, Tensor index) => Aten.IndexSelect.Call(this, dim, index);

    /// <summary>Advanced indexing: one optional index tensor per leading dimension (null keeps it whole).</summary>
    public Tensor Index(params Tensor?[] indices) => Aten.Index.Call(this, OpArg.OptionalTensors(indices));

    /// <summary>out[i][j] = self[i][index[i][j]] for dim 1 (torch.gather).</summary>
    public Tensor Gather(long dim, Tensor index) => Aten.Gather.Call(this, dim, index);

    /// <summary>A copy with src written at index along dim (torch.scatter).</summary>
    public Tensor Scatter(long dim, Tensor index, Tensor source) => Aten.Scatter.Call(this, dim, index, source);

    /// <summary>A copy with value written at index along dim.</summary>
    public Tensor Scatter(long dim, Tensor index, double value) => Aten.ScatterValue.Call(this, dim, index, value);

    /// <summary>A copy with src added at index along dim.</summary>
    public Tensor ScatterAdd(long dim, Tensor index, Tensor source) => Aten.ScatterAdd.Call(this, dim, index, source);

    /// <summary>A copy with <paramref name="value"/> where <paramref name="mask"/> is true.</summary>
    public Tensor MaskedFill(Tensor mask, double value) => Aten.MaskedFill.Call(this, mask, value);

    /// <summary>In place: writes <paramref name="value"/> where <paramref name="mask"/> is true.</summary>
    public Tensor MaskedFill_(Tensor mask, double value) => Aten.MaskedFill_.CallInPlace(this, this, mask, value);

    /// <summary>Elementwise choice: <paramref name="whenTrue"/> where condition holds, else <paramref name="whenFalse"/>.</summary>
    public static Tensor Where(Tensor condition, Tensor whenTrue, Tensor whenFalse) =>
        Aten.Where.Call(condition, whenTrue, whenFalse);

    /// <summary>Limits values to [min, max]; either bound may be absent.</summary>
    public Tensor Clamp(double? min = null, double? max = null) =>
        Aten.Clamp.Call(this, min is { } a ? a : OpArg.None, max is { } b ? b : OpArg.None);

    /// <summary>Limits values elementwise to tensor bounds (broadcast).</summary>
    public Tensor Clamp(Tensor? min, Tensor? max) => Aten.ClampTensor.Call(this, min, max);

    /// <summary>In place: limits values to [min, max].</summary>
    public Tensor Clamp_(double? min = null, double? max = null) =>
        Aten.Clamp_.CallInPlace(this, this, min is { } a ? a : OpArg.None, max is { } b ? b : OpArg.None);

    /// <summary>One-hot encoding of an int64 tensor (a new last dimension).</summary>
    public Tensor OneHot(long numClasses = -1) => Aten.OneHot.Call(this, numClasses);

    /// <summary>Converts the element type (returns this data when already of that type).</summary>
    public Tensor To(ScalarType type) => Aten.ToDtype.Call(this, type);

    /// <summary>Moves to a device (returns this data when already there).</summary>
    public Tensor To(Device device) => Aten.ToDevice.Call(this, device, Type);

    /// <summary>A tensor sharing data but cut from the autograd graph.</summary>
    public Tensor Detach() => Aten.Detach.Call(this);

    /// <summary>A copy with its own storage (gradients flow through it).</summary>
    public Tensor Clone() => Aten.Clone.Call(this);

    /// <summary>A row-major copy, or this data if already contiguous.</summary>
    public Tensor Contiguous() => Aten.Contiguous.Call(this);

    /// <summary>In place: copies <paramref name="source"/> (broadcast) into this tensor.</summary>
    public Tensor Copy_(Tensor source) => Aten.Copy_.CallInPlace(this, this, source);

    /// <summary>In place: sets every element to zero.</summary>
    public Tensor Zero_() => Aten.Zero_.CallInPlace(this, this);

    /// <summary>In place: sets every element to <paramref name="value"/>.</summary>
    public Tensor Fill_(double value) => Aten.Fill_.CallInPlace(this, this, value);

    /// <summary>In place: uniform values in [low, high).</summary>
    public Tensor Uniform_(double low, double high, Generator? generator = null) =>
        Aten.Uniform_.CallInPlace(this, this, low, high, generator);

    /// <summary>In place: normal values with the given mean and standard deviation.</summary>
    public Tensor Normal_(double mean = 0, double std = 1, Generator? generator = null) =>
        Aten.Normal_.CallInPlace(this, this, mean, std, generator);
}
