using MLNetExplain.Torch.Interop;

namespace MLNetExplain.Torch;

public sealed partial class Tensor
{
    // Arithmetic follows libtorch broadcasting and type promotion.

    /// <summary>Elementwise sum (broadcast).</summary>
    public static Tensor operator +(Tensor a, Tensor b) => Aten.Add.Call(a, b);
    /// <summary>Adds a scalar.</summary>
    public static Tensor operator +(Tensor a, double b) => Aten.AddScalar.Call(a, b);
    /// <summary>Adds a scalar.</summary>
    public static Tensor operator +(double a, Tensor b) => Aten.AddScalar.Call(b, a);
    /// <summary>Elementwise difference (broadcast).</summary>
    public static Tensor operator -(Tensor a, Tensor b) => Aten.Sub.Call(a, b);
    /// <summary>Subtracts a scalar.</summary>
    public static Tensor operator -(Tensor a, double b) => Aten.SubScalar.Call(a, b);
    /// <summary>A scalar minus each element.</summary>
    public static Tensor operator -(double a, Tensor b) => Aten.RSubScalar.Call(b, a);
    /// <summary>Negation.</summary>
    public static Tensor operator -(Tensor a) => Aten.Neg.Call(a);
    /// <summary>Elementwise product (broadcast).</summary>
    public static Tensor operator *(Tensor a, Tensor b) => Aten.Mul.Call(a, b);
    /// <summary>Multiplies by a scalar.</summary>
    public static Tensor operator *(Tensor a, double b) => Aten.MulScalar.Call(a, b);
    /// <summary>Multiplies by a scalar.</summary>
    public static Tensor operator *(double a, Tensor b) => Aten.MulScalar.Call(b, a);
    /// <summary>Elementwise true division (broadcast).</summary>
    public static Tensor operator /(Tensor a, Tensor b) => Aten.Div.Call(a, b);
    /// <summary>Divides by a scalar.</summary>
    public static Tensor operator /(Tensor a, double b) => Aten.DivScalar.Call(a, b);
    /// <summary>A scalar divided by each element.</summary>
    public static Tensor operator /(double a, Tensor b)
    {
        using var r = Aten.PowScalar.Call(b, -1.0);
        return Aten.MulScalar.Call(r, a);
    }

    /// <summary>In place: this += alpha * other.</summary>
    public Tensor Add_(Tensor other, double alpha = 1) => Aten.Add_.CallInPlace(this, this, other, alpha);
    /// <summary>In place: this += value.</summary>
    public Tensor Add_(double value) => Aten.AddScalar_.CallInPlace(this, this, value);
    /// <summary>In place: this += value, kept integral so integer tensors (counters) accept it.</summary>
    public Tensor Add_(long value) => Aten.AddScalar_.CallInPlace(this, this, value);
    /// <summary>In place: this -= alpha * other.</summary>
    public Tensor Sub_(Tensor other, double alpha = 1) => Aten.Sub_.CallInPlace(this, this, other, alpha);
    /// <summary>In place: this *= other.</summary>
    public Tensor Mul_(Tensor other) => Aten.Mul_.CallInPlace(this, this, other);
    /// <summary>In place: this *= value.</summary>
    public Tensor Mul_(double value) => Aten.MulScalar_.CallInPlace(this, this, value);
    /// <summary>In place: this /= other.</summary>
    public Tensor Div_(Tensor other) => Aten.Div_.CallInPlace(this, this, other);
    /// <summary>In place: this /= value.</summary>
    public Tensor Div_(double value) => Aten.DivScalar_.CallInPlace(this, this, value);
    /// <summary>In place: this += value * t1 * t2.</summary>
    public Tensor Addcmul_(Tensor t1, Tensor t2, double value = 1) => Aten.Addcmul_.CallInPlace(this, this, t1, t2, value);
    /// <summary>In place: this += value * t1 / t2.</summary>
    public Tensor Addcdiv_(Tensor t1, Tensor t2, double value = 1) => Aten.Addcdiv_.CallInPlace(this, this, t1, t2, value);
    /// <summary>In place: this += weight * (end - this).</summary>
    public Tensor Lerp_(Tensor end, double weight) => Aten.Lerp_.CallInPlace(this, this, end, weight);

    /// <summary>Elementwise maximum of two tensors.</summary>
    public Tensor Maximum(Tensor other) => Aten.Maximum.Call(this, other);
    /// <summary>Elementwise minimum of two tensors.</summary>
    public Tensor Minimum(Tensor other) => Aten.Minimum.Call(this, other);

    /// <summary>Elementwise equality (bool tensor).</summary>
    public Tensor Eq(Tensor other) => Aten.Eq.Call(this, other);
    /// <summary>Elementwise equality with a scalar.</summary>
    public Tensor Eq(double other) => Aten.EqScalar.Call(this, other);
    /// <summary>Elementwise inequality.</summary>
    public Tensor Ne(Tensor other) => Aten.Ne.Call(this, other);
    /// <summary>Elementwise inequality with a scalar.</summary>
    public Tensor Ne(double other) => Aten.NeScalar.Call(this, other);
    /// <summary>Elementwise less-than.</summary>
    public Tensor Lt(Tensor other) => Aten.Lt.Call(this, other);
    /// <summary>Elementwise less-than a scalar.</summary>
    public Tensor Lt(double other) => Aten.LtScalar.Call(this, other);
    /// <summary>Elementwise less-or-equal.</summary>
    public Tensor Le(Tensor other) => Aten.Le.Call(this, other);
    /// <summary>Elementwise less-or-equal a scalar.</summary>
    public Tensor Le(double other) => Aten.LeScalar.Call(this, other);
    /// <summary>Elementwise greater-than.</summary>
    public Tensor Gt(Tensor other) => Aten.Gt.Call(this, other);
    /// <summary>Elementwise greater-than a scalar.</summary>
    public Tensor Gt(double other) => Aten.GtScalar.Call(this, other);
    /// <summary>Elementwise greater-or-equal.</summary>
    public Tensor Ge(Tensor other) => Aten.Ge.Call(this, other);
    /// <summary>Elementwise greater-or-equal a scalar.</summary>
    public Tensor Ge(double other) => Aten.GeScalar.Call(this, other);
    /// <summary>Where elements are NaN.</summary>
    public Tensor IsNan() => Aten.IsNan.Call(this);
    /// <summary>Elementwise logical and.</summary>
    public Tensor LogicalAnd(Tensor other) => Aten.LogicalAnd.Call(this, other);
    /// <summary>Elementwise logical or.</summary>
    public Tensor LogicalOr(Tensor other) => Aten.LogicalOr.Call(this, other);
    /// <summary>Elementwise logical not.</summary>
    public Tensor LogicalNot() => Aten.LogicalNot.Call(this);

    /// <summary>Absolute value.</summary>
    public Tensor Abs() => Aten.Abs.Call(this);
    /// <summary>Sign (-1, 0, 1).</summary>
    public Tensor Sign() => Aten.Sign.Call(this);
    /// <summary>Exponential.</summary>
    public Tensor Exp() => Aten.Exp.Call(this);
    /// <summary>Natural logarithm.</summary>
    public Tensor Log() => Aten.Log.Call(this);
    /// <summary>Square root.</summary>
    public Tensor Sqrt() => Aten.Sqrt.Call(this);
    /// <summary>Reciprocal square root.</summary>
    public Tensor Rsqrt() => Aten.Rsqrt.Call(this);
    /// <summary>Elementwise square.</summary>
    public Tensor Square() => Aten.Square.Call(this);
    /// <summary>Raises to a scalar power.</summary>
    public Tensor Pow(double exponent) => Aten.PowScalar.Call(this, exponent);
    /// <summary>Raises to elementwise powers.</summary>
    public Tensor Pow(Tensor exponent) => Aten.PowTensor.Call(this, exponent);
    /// <summary>Sine.</summary>
    public Tensor Sin() => Aten.Sin.Call(this);
    /// <summary>Cosine.</summary>
    public Tensor Cos() => Aten.Cos.Call(this);
    /// <summary>Round down.</summary>
    public Tensor Floor() => Aten.Floor.Call(this);
    /// <summary>Round half to even.</summary>
    public Tensor Round() => Aten.Round.Call(this);

    /// <summary>Sum of all elements.</summary>
    public Tensor Sum() => Aten.Sum.Call(this);
    /// <summary>Sum over dimensions.</summary>
    public Tensor Sum(long[] dims, bool keepDim = false) => Aten.SumDim.Call(this, dims, keepDim);
    /// <summary>Sum over one dimension.</summary>
    public Tensor Sum(long dim, bool keepDim = false) => Sum([dim], keepDim);
    /// <summary>Mean of all elements.</summary>
    public Tensor Mean() => Aten.Mean.Call(this);
    /// <summary>Mean over dimensions.</summary>
    public Tensor Mean(long[] dims, bool keepDim = false) => Aten.MeanDim.Call(this, dims, keepDim);
    /// <summary>Mean over one dimension.</summary>
    public Tensor Mean(long dim, bool keepDim = false) => Mean([dim], keepDim);
    /// <summary>Largest element.</summary>
    public Tensor Max() => Aten.Max.Call(this);
    /// <summary>Largest values and their indices along a dimension.</summary>
    public (Tensor Values, Tensor Indices) Max(long dim, bool keepDim = false) => Pair(Aten.MaxDim.CallMany(this, dim, keepDim));
    /// <summary>Smallest element.</summary>
    public Tensor Min() => Aten.Min.Call(this);
    /// <summary>Smallest values and their indices along a dimension.</summary>
    public (Tensor Values, Tensor Indices) Min(long dim, bool keepDim = false) => Pair(Aten.MinDim.CallMany(this, dim, keepDim));
    /// <summary>Index of the largest element (flattened) or along a dimension.</summary>
    public Tensor Argmax(long? dim = null, bool keepDim = false) => Aten.Argmax.Call(this, dim is { } d ? d : OpArg.None, keepDim);
    /// <summary>Index of the smallest element (flattened) or along a dimension.</summary>
    public Tensor Argmin(long? dim = null, bool keepDim = false) => Aten.Argmin.Call(this, dim is { } d ? d : OpArg.None, keepDim);
    /// <summary>The k largest (or smallest) values along a dimension, with indices.</summary>
    public (Tensor Values, Tensor Indices) TopK(long k, long dim = -1, bool largest = true, bool sorted = true) =>
        Pair(Aten.TopK.CallMany(this, k, dim, largest, sorted));
    /// <summary>Sorted values along a dimension, with indices.</summary>
    public (Tensor Values, Tensor Indices) Sort(long dim = -1, bool descending = false) =>
        Pair(Aten.Sort.CallMany(this, dim, descending));
    /// <summary>Indices that sort along a dimension.</summary>
    public Tensor Argsort(long dim = -1, bool descending = false) => Aten.Argsort.Call(this, dim, descending);
    /// <summary>The p-norm of all elements.</summary>
    public Tensor Norm(double p = 2) => Aten.Norm.Call(this, p);
    /// <summary>The p-norm over dimensions.</summary>
    public Tensor Norm(double p, long[] dims, bool keepDim = false) => Aten.NormDim.Call(this, p, dims, keepDim);
    /// <summary>Standard deviation of all elements (Bessel-corrected unless unbiased is false).</summary>
    public Tensor Std(bool unbiased = true) => Aten.Std.Call(this, unbiased);
    /// <summary>Standard deviation over dimensions.</summary>
    public Tensor Std(long[] dims, bool unbiased = true, bool keepDim = false) => Aten.StdDim.Call(this, dims, unbiased, keepDim);
    /// <summary>Variance of all elements.</summary>
    public Tensor Var(bool unbiased = true) => Aten.Var.Call(this, unbiased);
    /// <summary>Variance over dimensions.</summary>
    public Tensor Var(long[] dims, bool unbiased = true, bool keepDim = false) => Aten.VarDim.Call(this, dims, unbiased, keepDim);
    /// <summary>Cumulative sum along a dimension.</summary>
    public Tensor Cumsum(long dim) => Aten.Cumsum.Call(this, dim);
    /// <summary>log(sum(exp)) over dimensions, computed stably.</summary>
    public Tensor Logsumexp(long[] dims, bool keepDim = false) => Aten.Logsumexp.Call(this, dims, keepDim);
    /// <summary>Whether every element is true (non-zero).</summary>
    public Tensor All() => Aten.All.Call(this);
    /// <summary>Whether any element is true (non-zero).</summary>
    public Tensor Any() => Aten.Any.Call(this);
    /// <summary>Matrix product with broadcasting over batch dimensions.</summary>
    public Tensor Matmul(Tensor other) => Aten.Matmul.Call(this, other);

    /// <summary>The real part of a complex tensor (a view).</summary>
    public Tensor Real() => Aten.Real.Call(this);
    /// <summary>A complex tensor [..] as a real view [.., 2] of (real, imaginary).</summary>
    public Tensor ViewAsReal() => Aten.ViewAsReal.Call(this);
    /// <summary>A real tensor [.., 2] as a complex view [..].</summary>
    public Tensor ViewAsComplex() => Aten.ViewAsComplex.Call(this);

    private static (Tensor, Tensor) Pair(Tensor[] r) => (r[0], r[1]);
}
