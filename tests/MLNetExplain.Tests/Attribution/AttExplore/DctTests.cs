using MLNetExplain.Attribution;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Attribution.AttExplore;

public class DctTests
{
    private static double[] Values(Tensor t) => t.to(ScalarType.Float64).cpu().flatten().data<double>().ToArray();

    [Fact]
    public void TheFloat64RoundTripIsExactAndPreservesEnergy()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(5);
        var x = randn([2, 3, 8, 16], ScalarType.Float64, generator: generator);
        var coefficients = Dct.Forward2d(x);
        Assert.True((Dct.Inverse2d(coefficients) - x).abs().max().item<double>() < 1e-12);
        Assert.True((Dct.Forward2d(Dct.Inverse2d(x)) - x).abs().max().item<double>() < 1e-12);
        // Orthonormal: Parseval holds per image.
        Assert.Equal(Values(x.square().sum([2, 3])), Values(coefficients.square().sum([2, 3])), (a, b) => Math.Abs(a - b) < 1e-10);
        var c = Dct.Matrix(7);
        Assert.True((c.matmul(c.t()) - eye(7, dtype: ScalarType.Float64)).abs().max().item<double>() < 1e-14);
    }

    [Fact]
    public void AConstantImageHasOnlyTheDcCoefficient()
    {
        using var scope = NewDisposeScope();
        var coefficients = Dct.Forward2d(full([1, 2, 8, 8], 0.7, ScalarType.Float64));
        var values = Values(coefficients);
        for (int i = 0; i < values.Length; i++)
        {
            // DC = sum / sqrt(H W) = 0.7 * 64 / 8 in each channel.
            double expected = i % 64 == 0 ? 5.6 : 0;
            Assert.True(Math.Abs(values[i] - expected) < 1e-12, $"coefficient {i}: {values[i]}");
        }
    }

    [Fact]
    public void TheTransformIsTheExplicitDoubleSum()
    {
        using var scope = NewDisposeScope();
        const int h = 3, w = 5;
        var random = new Random(2);
        var image = Enumerable.Range(0, h * w).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var actual = Values(Dct.Forward2d(tensor(image, [h, w])));
        static double Scale(int k, int n) => Math.Sqrt((k == 0 ? 1.0 : 2.0) / n);
        for (int k = 0; k < h; k++)
        {
            for (int l = 0; l < w; l++)
            {
                double sum = 0;
                for (int i = 0; i < h; i++)
                {
                    for (int j = 0; j < w; j++)
                    {
                        sum += image[i * w + j] * Math.Cos(Math.PI * (2 * i + 1) * k / (2 * h)) * Math.Cos(Math.PI * (2 * j + 1) * l / (2 * w));
                    }
                }

                Assert.Equal(Scale(k, h) * Scale(l, w) * sum, actual[k * w + l], 12);
            }
        }

        // Float32 inputs get a Float32 transform.
        Assert.Equal(ScalarType.Float32, Dct.Forward2d(ones(4, 4)).dtype);
        Assert.Throws<ArgumentException>(() => Dct.Forward2d(ones(4)));
        Assert.Throws<ArgumentException>(() => Dct.Inverse2d(ones([2, 2], ScalarType.Int64)));
    }
}
