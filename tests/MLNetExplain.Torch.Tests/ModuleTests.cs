using System.Diagnostics;
using MLNetExplain.Torch;
using MLNetExplain.Torch.NN;
using MLNetExplain.Torch.Optim;

namespace MLNetExplain.Torch.Tests;

public class ModuleTests
{
    private static Sequential TinyCnn(Generator g) => new(
        new Conv2d(1, 8, 3, padding: 1, generator: g), new BatchNorm2d(8), new ReLU(), new MaxPool2d(2),
        new Conv2d(8, 16, 3, padding: 1, generator: g), new BatchNorm2d(16), new ReLU(), new AdaptiveAvgPool2d(1, 1),
        new Flatten(), new Linear(16, 2, generator: g));

    // Class 0: a bright left half; class 1: a bright right half; plus noise.
    private static (Tensor X, Tensor Y) Batch(Generator g, int n)
    {
        using var scope = Torch.NewDisposeScope();
        var y = Tensor.Randint(0, 2, [n], g);
        var cols = Tensor.Arange(0, 16, 1, ScalarType.Float32).View(1, 1, 1, 16);
        var leftMask = cols.Lt(8).To(ScalarType.Float32);
        var right = y.To(ScalarType.Float32).View(n, 1, 1, 1);
        var pattern = (right * (1 - leftMask)) + ((1 - right) * leftMask);
        var x = pattern.Expand(n, 1, 16, 16) + Tensor.Randn([n, 1, 16, 16], g) * 0.5;
        return (x.MoveToOuterDisposeScope(), y.MoveToOuterDisposeScope());
    }

    [Fact]
    public void DefaultInitialisationMatchesPyTorchBounds()
    {
        using var g = new Generator(0);
        using var conv = new Conv2d(16, 32, 3, generator: g);
        var bound = 1 / Math.Sqrt(16 * 9);
        var w = conv.Weight.ToArray<float>();
        Assert.All(w, v => Assert.InRange(v, -bound, bound));
        // U(-b, b) has standard deviation b / sqrt(3).
        var std = Math.Sqrt(w.Select(v => (double)v * v).Average());
        Assert.InRange(std, 0.9 * bound / Math.Sqrt(3), 1.1 * bound / Math.Sqrt(3));
        using var deconv = new ConvTranspose2d(8, 4, 2);
        Assert.Equal(new long[] { 8, 4, 2, 2 }, deconv.Weight.Shape);
        Assert.All(deconv.Weight.ToArray<float>(), v => Assert.InRange(v, -1 / Math.Sqrt(16), 1 / Math.Sqrt(16)));
    }

    [Fact]
    public void NamesTrainEvalAndParameterCount()
    {
        using var g = new Generator(0);
        using var net = TinyCnn(g);
        var names = net.NamedParameters().Select(p => p.Name).ToArray();
        Assert.Equal(new[] { "0.weight", "0.bias", "1.weight", "1.bias", "4.weight", "4.bias", "5.weight", "5.bias", "9.weight", "9.bias" }, names);
        Assert.Equal(8 * 9 + 8 + 16 + 16 * 8 * 9 + 16 + 32 + 32 + 2, net.ParameterCount());
        net.Eval();
        Assert.All(net.NamedModules(), m => Assert.False(m.Module.IsTraining));
        net.Train();
        Assert.True(((BatchNorm2d)net.Layers[1]).IsTraining);
    }

    [Fact]
    public void TinyCnnLearnsAndSameSeedGivesSameResult()
    {
        double Run()
        {
            using var g = new Generator(123);
            using var net = TinyCnn(g);
            using var opt = new Sgd(net.Parameters(), 0.05, momentum: 0.9);
            for (var step = 0; step < 60; step++)
            {
                using var scope = Torch.NewDisposeScope();
                var (x, y) = Batch(g, 32);
                var loss = Functional.CrossEntropy(net.Forward(x), y);
                opt.ZeroGrad();
                loss.Backward();
                opt.Step();
            }

            net.Eval();
            using var test = Torch.NewDisposeScope();
            using var noGrad = Torch.NoGrad();
            using var tg = new Generator(999);
            var (tx, ty) = Batch(tg, 256);
            return net.Forward(tx).Argmax(1).Eq(ty).To(ScalarType.Float32).Mean().ToDouble();
        }

        var first = Run();
        Assert.True(first > 0.95, $"accuracy {first}");
        Assert.Equal(first, Run());
    }

    [Fact]
    public void TrainingLoopKeepsResidentMemoryFlat()
    {
        using var g = new Generator(5);
        using var net = new Sequential(new Conv2d(3, 32, 3, padding: 1, generator: g), new BatchNorm2d(32), new ReLU(),
            new Conv2d(32, 32, 3, padding: 1, generator: g), new ReLU(), new AdaptiveAvgPool2d(1, 1), new Flatten(),
            new Linear(32, 10, generator: g));
        using var opt = new Adam(net.Parameters(), 1e-3);
        void Steps(int n)
        {
            for (var k = 0; k < n; k++)
            {
                using var scope = Torch.NewDisposeScope();
                var x = Tensor.Randn([32, 3, 32, 32], g);
                var y = Tensor.Randint(0, 10, [32], g);
                var loss = Functional.CrossEntropy(net.Forward(x), y);
                opt.ZeroGrad();
                loss.Backward();
                opt.Step();
            }
        }

        static long Rss()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            using var p = Process.GetCurrentProcess();
            p.Refresh();
            return p.WorkingSet64;
        }

        Steps(30);
        var before = Rss();
        // Each step allocates about 3 MB of activations: a leak of one per step would add 600 MB here.
        Steps(200);
        var growth = Rss() - before;
        Assert.True(growth < 60L * 1024 * 1024, $"resident memory grew by {growth / (1024 * 1024)} MB over 200 steps");
    }

    [Fact]
    public void ModuleToDeviceKeepsParameterIdentity()
    {
        using var lin = new Linear(3, 2);
        var weight = lin.Weight;
        lin.To(Device.Cpu);
        Assert.Same(weight, lin.Parameters()[0]);
        Assert.True(weight.RequiresGrad);
        Assert.Equal(Device.Cpu.Type, weight.Device.Type);
    }
}
