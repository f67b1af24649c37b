using static TorchSharp.torch;

namespace MLNetExplain.Attribution;

/// <summary>
/// The orthonormal 2-D DCT-II and its inverse (the DCT-III) over the last two dimensions of a tensor, as matrix
/// products with the n x n DCT matrix C[k, i] = sqrt(2/n) c_k cos(pi (2i + 1) k / (2n)), c_0 = 1/sqrt(2), c_k = 1
/// otherwise: Forward2d(x) = C_H x C_W^T, Inverse2d(y) = C_H^T y C_W.
/// </summary>
/// <remarks>
/// AttEXplore's reference (<c>saliency/core/dct.py</c>, after SSA) uses the unnormalised pair; an elementwise mask
/// between the transforms gives the same image with either pair, because the two differ by a diagonal scaling per
/// axis. The matrices are built in float64 and cast to the input's dtype, so a float64 round trip is exact to rounding.
/// </remarks>
public static class Dct
{
    /// <summary>The orthonormal DCT-II matrix C [n, n] (rows are frequencies), so that C C^T = I.</summary>
    /// <param name="n">The signal length, at least 1.</param>
    /// <param name="dtype">The element type of the result (built in float64, then cast).</param>
    /// <param name="device">The device of the result; null for the CPU.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is less than 1.</exception>
    public static Tensor Matrix(long n, ScalarType dtype = ScalarType.Float64, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        var values = new double[n * n];
        for (long k = 0; k < n; k++)
        {
            double scale = Math.Sqrt((k == 0 ? 1.0 : 2.0) / n);
            for (long i = 0; i < n; i++)
            {
                values[k * n + i] = scale * Math.Cos(Math.PI * (2 * i + 1) * k / (2.0 * n));
            }
        }

        return tensor(values, [n, n]).to(dtype).to(device ?? CPU);
    }

    /// <summary>The orthonormal 2-D DCT-II over the last two dimensions [..., H, W].</summary>
    /// <param name="x">A floating-point tensor of at least 2 dimensions.</param>
    /// <returns>The coefficients, shaped like <paramref name="x"/>; [0, 0] is the DC term sum(x)/sqrt(H W).</returns>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not floating point or has fewer than 2 dimensions.</exception>
    public static Tensor Forward2d(Tensor x) => Apply(x, inverse: false);

    /// <summary>The inverse of <see cref="Forward2d"/> (the orthonormal 2-D DCT-III) over the last two dimensions.</summary>
    /// <param name="coefficients">A floating-point tensor of at least 2 dimensions.</param>
    /// <returns>The image, shaped like <paramref name="coefficients"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="coefficients"/> is not floating point or has fewer than 2 dimensions.</exception>
    public static Tensor Inverse2d(Tensor coefficients) => Apply(coefficients, inverse: true);

    private static Tensor Apply(Tensor x, bool inverse)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.dim() < 2 || !x.is_floating_point())
        {
            throw new ArgumentException($"The 2-D DCT needs a floating-point tensor [..., H, W]; got {x.dtype} [{AttributionInputs.Shape(x)}].", nameof(x));
        }

        using var scope = NewDisposeScope();
        var ch = Matrix(x.shape[^2], x.dtype, x.device);
        var cw = Matrix(x.shape[^1], x.dtype, x.device);
        var result = inverse ? ch.t().matmul(x).matmul(cw) : ch.matmul(x).matmul(cw.t());
        return result.MoveToOuterDisposeScope();
    }
}
