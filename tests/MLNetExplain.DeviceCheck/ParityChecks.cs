using MLNetExplain.Attribution.Methods;
using MLNetExplain.Torch;
using MLNetExplain.Torch.NN;
using MLNetExplain.Torch.Optim;
using MLNetExplain.Vision.Models;

namespace MLNetExplain.DeviceCheck;

/// <summary>
/// Checks a-e: the binding's operators, autograd (first and second order), training steps and the attribution
/// methods give on the device what they give on the CPU. Inputs are drawn once on the CPU and copied, so both sides
/// start from identical values.
/// </summary>
internal static class ParityChecks
{
    // float32 work whose only difference is summation order.
    private const double Exact = 1e-4;

    // cuDNN convolutions: libtorch lets them use TF32 (10-bit mantissa) on Ampere and later by default, and the binding
    // has no switch for it, so convolution results are compared at TF32's precision.
    private const double Tf32 = 5e-3;
    private const double Tf32Max = 2e-2;

    /// <summary>Runs the sections <paramref name="wanted"/> selects (by letter).</summary>
    public static void Run(CheckLog log, Func<char, bool> wanted)
    {
        var device = log.Device;
        if (wanted('a'))
        {
            log.Section("a. device and tensor round trip");
            log.Run("a. round trip", () => RoundTrip(log, device));
        }

        if (wanted('b'))
        {
            log.Section("b. operators: forward and gradients, device vs CPU (float32)");
            log.Run("b. operators", () => Operators(log, device));
        }

        if (wanted('c'))
        {
            log.Section("c. double backward (create_graph), device vs CPU");
            log.Run("c. double backward float64", () => DoubleBackward(log, device, ScalarType.Float64, 1e-9, 1e-8));
            log.Run("c. double backward float32", () => DoubleBackward(log, device, ScalarType.Float32, 2 * Tf32, 5 * Tf32Max));
        }

        if (wanted('d'))
        {
            log.Section("d. SmallCnn SGD steps, device vs CPU");
            log.Run("d. training", () => TrainingSteps(log, device));
        }

        if (wanted('e'))
        {
            log.Section("e. Saliency, SmoothGrad and ResNet-18 forward, device vs CPU");
            log.Run("e. attribution", () => Attribution(log, device));
        }
    }

    private static void RoundTrip(CheckLog log, Device device)
    {
        using var scope = Torch.Torch.NewDisposeScope();
        using var g = new Generator(1);
        var x = Tensor.Randn([3, 5, 7], g);
        var onDevice = x.To(device);
        log.Check("a. tensor lands on the device", onDevice.Device.Type == device.Type, $"{onDevice.Device}");
        var doubled = onDevice * 2;
        log.Check("a. result of a device op stays there", doubled.Device.Type == device.Type, $"{doubled.Device}");
        var back = onDevice.To(Device.Cpu);
        log.Check("a. float32 CPU -> device -> CPU is exact", back.ToArray<float>().SequenceEqual(x.ToArray<float>()),
            $"{x.Numel} values");
        var labels = Tensor.Randint(0, 1000, [64], g);
        log.Check("a. int64 CPU -> device -> CPU is exact",
            labels.To(device).To(Device.Cpu).ToArray<long>().SequenceEqual(labels.ToArray<long>()), "64 values");

        // A private generator draws on the CPU and copies, so a seed gives the same numbers on every device.
        using var g1 = new Generator(5);
        using var g2 = new Generator(5);
        var cpuDraw = Tensor.Randn([4, 9], g1);
        var deviceDraw = Tensor.Randn([4, 9], g2, device: device);
        log.Check("a. seeded Randn on the device equals the CPU draw",
            deviceDraw.Device.Type == device.Type && deviceDraw.ToArray<float>().SequenceEqual(cpuDraw.ToArray<float>()),
            $"{deviceDraw.Device}");
        log.Check("a. device scalar reads back", Math.Abs((onDevice.Sum() - x.Sum().To(device)).ToDouble()) < 1e-4,
            $"sum {onDevice.Sum().ToDouble():F4}");
    }

    /// <summary>
    /// Runs <paramref name="op"/> on random inputs of <paramref name="shapes"/> on the CPU (side 0) and on the device
    /// (side 1), backpropagates the same random output gradient, and compares outputs and input gradients.
    /// </summary>
    private static void Op(CheckLog log, string name, string[] inputNames, long[][] shapes, Func<Tensor[], int, Tensor> op,
        double tol, double? maxTol = null, int seed = 10)
    {
        using var scope = Torch.Torch.NewDisposeScope();
        using var g = new Generator((ulong)seed);
        var cpu = shapes.Select(s => Tensor.Randn(s, g).RequiresGrad_()).ToArray();
        var dev = cpu.Select(t => t.Detach().To(log.Device).RequiresGrad_()).ToArray();
        var outCpu = op(cpu, 0);
        var outDev = op(dev, 1);
        var gradOut = Tensor.Randn(outCpu.Shape, g);
        var gradsCpu = Autograd.Grad([outCpu], cpu, [gradOut]);
        var gradsDev = Autograd.Grad([outDev], dev, [gradOut.To(log.Device)]);
        log.Compare($"b. {name} forward", outDev, outCpu, tol, maxTol);
        for (var k = 0; k < cpu.Length; k++)
        {
            log.Compare($"b. {name} d/d{inputNames[k]}", gradsDev[k]!, gradsCpu[k]!, tol, maxTol);
        }
    }

    private static void Operators(CheckLog log, Device device)
    {
        Op(log, "conv2d 3x3 pad 1", ["x", "w", "b"], [[4, 3, 16, 16], [8, 3, 3, 3], [8]],
            (t, _) => Functional.Conv2d(t[0], t[1], t[2], padding: 1), Tf32, Tf32Max);
        Op(log, "conv2d 3x3 stride 2", ["x", "w"], [[4, 8, 15, 15], [6, 8, 3, 3]],
            (t, _) => Functional.Conv2d(t[0], t[1], stride: 2), Tf32, Tf32Max);
        Op(log, "conv_transpose2d stride 2", ["x", "w", "b"], [[4, 8, 7, 7], [8, 4, 3, 3], [4]],
            (t, _) => Functional.ConvTranspose2d(t[0], t[1], t[2], stride: 2, padding: 1, outputPadding: 1), Tf32, Tf32Max);
        Op(log, "linear", ["x", "w", "b"], [[16, 40], [12, 40], [12]], (t, _) => Functional.Linear(t[0], t[1], t[2]), Exact);

        // Batch norm keeps running statistics per side, so each side updates its own copy.
        using (Torch.Torch.NewDisposeScope())
        {
            using var g = new Generator(20);
            var mean = Tensor.Randn([6], g) * 0.1;
            var variance = Tensor.Rand([6], g) + 0.5;
            Tensor[] runningMean = [mean.Clone(), mean.Clone().To(device)];
            Tensor[] runningVar = [variance.Clone(), variance.Clone().To(device)];
            Op(log, "batch norm (train)", ["x", "weight", "bias"], [[8, 6, 5, 5], [6], [6]],
                (t, side) => Functional.BatchNorm(t[0], runningMean[side], runningVar[side], t[1], t[2], training: true), Exact);
            log.Compare("b. batch norm (train) running mean", runningMean[1], runningMean[0], Exact);
            log.Compare("b. batch norm (train) running var", runningVar[1], runningVar[0], Exact);
            Op(log, "batch norm (eval)", ["x", "weight", "bias"], [[8, 6, 5, 5], [6], [6]],
                (t, side) => Functional.BatchNorm(t[0], runningMean[side], runningVar[side], t[1], t[2], training: false), Exact);
        }

        Op(log, "max pool 2x2", ["x"], [[4, 3, 8, 8]], (t, _) => Functional.MaxPool2d(t[0], 2), Exact);
        Op(log, "interpolate bilinear 7->28", ["x"], [[2, 3, 7, 7]],
            (t, _) => Functional.Interpolate(t[0], 28, 28, InterpolationMode.Bilinear), Exact);
        Op(log, "softplus beta 3", ["x"], [[4, 50]], (t, _) => Functional.Softplus(t[0], beta: 3), Exact);

        using (Torch.Torch.NewDisposeScope())
        {
            using var g = new Generator(30);
            var target = Tensor.Randint(0, 10, [16], g);
            Tensor[] targets = [target, target.To(device)];
            Op(log, "cross-entropy", ["logits"], [[16, 10]], (t, side) => Functional.CrossEntropy(t[0], targets[side]), Exact);
        }
    }

    /// <summary>
    /// A gradient-norm penalty P = ||d CE / d x||^2 through conv, batch norm (train), softplus, transposed conv and
    /// ReLU, then dP/d(parameters): the second-order path the gradient-alignment trainer relies on.
    /// </summary>
    private static void DoubleBackward(CheckLog log, Device device, ScalarType type, double tol, double maxTol)
    {
        using var scope = Torch.Torch.NewDisposeScope();
        using var g = new Generator(7);
        var names = new[] { "conv w", "conv b", "bn w", "bn b", "deconv w", "deconv b", "fc w" };
        long[][] shapes = [[3, 2, 3, 3], [3], [3], [3], [3, 2, 2, 2], [2], [4, 2 * 8 * 8]];
        var cpuParams = shapes.Select(s => (Tensor.Randn(s, g, type) * 0.5).RequiresGrad_()).ToArray();
        var devParams = cpuParams.Select(p => p.Detach().To(device).RequiresGrad_()).ToArray();
        var x = Tensor.Randn([2, 2, 4, 4], g, type);
        var target = Tensor.From(new long[] { 1, 3 });

        Tensor Penalty(Tensor[] p, Tensor input, Tensor labels)
        {
            var xs = input.Detach().RequiresGrad_();
            var h = Functional.Conv2d(xs, p[0], p[1], padding: 1);
            h = Functional.BatchNorm(h, null, null, p[2] + 1, p[3], training: true);
            h = Functional.Softplus(h, beta: 3);
            h = Functional.ConvTranspose2d(h, p[4], p[5], stride: 2);
            h = Functional.Relu(h);
            var loss = Functional.CrossEntropy(Functional.Linear(h.Flatten(1), p[6]), labels);
            var gradient = Autograd.Grad(loss, xs, createGraph: true);
            return (gradient * gradient).Sum();
        }

        var pCpu = Penalty(cpuParams, x, target);
        var pDev = Penalty(devParams, x.To(device), target.To(device));
        var label = type == ScalarType.Float64 ? "float64" : "float32";
        log.Compare($"c. penalty value ({label})", pDev, pCpu, tol, maxTol);
        var secondCpu = Autograd.Grad([pCpu], cpuParams);
        var secondDev = Autograd.Grad([pDev], devParams);
        // Training-mode batch norm subtracts the per-channel mean, so the conv bias cannot change P: its exact
        // gradient is zero and both sides return rounding noise, which is checked against the weights' scale instead.
        var scale = Math.Max(secondCpu[0]!.Abs().Max().ToDouble(), 1e-30);
        for (var k = 0; k < names.Length; k++)
        {
            if (names[k] == "conv b")
            {
                var noise = Math.Max(secondCpu[k]!.Abs().Max().ToDouble(), secondDev[k]!.To(Device.Cpu).Abs().Max().ToDouble()) / scale;
                log.Check($"c. dP/d(conv b) = 0 before BN ({label})", noise <= tol, $"max |grad| / max |dP/d(conv w)| = {CheckLog.Sci(noise)} (tol {CheckLog.Sci(tol)})");
                continue;
            }

            log.Compare($"c. dP/d({names[k]}) ({label})", secondDev[k]!, secondCpu[k]!, tol, maxTol);
        }
    }

    private static void TrainingSteps(CheckLog log, Device device)
    {
        const int steps = 5;
        var spec = ClassifierSpec.SmallCnn(10, 1, 16);
        using var g1 = new Generator(11);
        using var g2 = new Generator(11);
        using var netCpu = spec.Build(g1);
        using var netDev = spec.Build(g2);
        netDev.To(device);
        using var data = new Generator(12);
        using var x = Tensor.Rand([32, 1, 28, 28], data);
        using var y = Tensor.Randint(0, 10, [32], data);
        using var xDev = x.To(device);
        using var yDev = y.To(device);
        using var optCpu = new Sgd(netCpu.Parameters(), 0.05, momentum: 0.9, weightDecay: 5e-4);
        using var optDev = new Sgd(netDev.Parameters(), 0.05, momentum: 0.9, weightDecay: 5e-4);

        static double Step(ConvClassifier net, Optimizer opt, Tensor images, Tensor labels)
        {
            using var scope = Torch.Torch.NewDisposeScope();
            opt.ZeroGrad();
            var loss = Functional.CrossEntropy(net.Forward(images), labels);
            loss.Backward();
            opt.Step();
            return loss.ToDouble();
        }

        var lossCpu = new double[steps];
        var lossDev = new double[steps];
        for (var s = 0; s < steps; s++)
        {
            lossCpu[s] = Step(netCpu, optCpu, x, y);
            lossDev[s] = Step(netDev, optDev, xDev, yDev);
        }

        log.CompareScalars($"d. SmallCnn losses over {steps} SGD steps", lossDev, lossCpu, 1e-2);
        using var scope = Torch.Torch.NewDisposeScope();
        var stateCpu = netCpu.StateDict();
        var stateDev = netDev.StateDict();
        // Integer buffers (batches tracked) are compared as values too; the flattened float64 view covers every entry.
        var flatCpu = Tensor.Cat(stateCpu.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Value.Detach().To(ScalarType.Float64).Flatten()).ToArray());
        var flatDev = Tensor.Cat(stateDev.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Value.Detach().To(ScalarType.Float64).Flatten()).ToArray());
        log.Compare($"d. SmallCnn parameters and buffers after {steps} steps", flatDev, flatCpu, 2e-2, 1e-1);
    }

    private static void Attribution(CheckLog log, Device device)
    {
        var spec = ClassifierSpec.SmallCnn(10, 1, 16).WithNormalization([0.286f], [0.353f]);
        using var g1 = new Generator(21);
        using var g2 = new Generator(21);
        using var netCpu = spec.Build(g1);
        using var netDev = spec.Build(g2);
        netDev.To(device);
        netCpu.Eval();
        netDev.Eval();

        using var scope = Torch.Torch.NewDisposeScope();
        using var data = new Generator(22);
        var x = Tensor.Rand([8, 1, 28, 28], data);
        // Explicit targets: the predicted class could differ between devices on a near tie, which would change the map.
        var target = Tensor.Randint(0, 10, [8], data);
        var xDev = x.To(device);
        var targetDev = target.To(device);

        var salCpu = new Saliency(netCpu.Forward).Attribute(x, target);
        var salDev = new Saliency(netDev.Forward).Attribute(xDev, targetDev);
        log.Compare("e. Saliency (SmallCnn + normalisation)", salDev, salCpu, 1e-2, 5e-2);

        var options = new SmoothGradOptions { Samples = 20 };
        using var noiseCpu = new Generator(5);
        using var noiseDev = new Generator(5);
        var sgCpu = new SmoothGrad(netCpu.Forward, options).Attribute(x, target, noiseCpu);
        var sgDev = new SmoothGrad(netDev.Forward, options).Attribute(xDev, targetDev, noiseDev);
        log.Compare("e. SmoothGrad-20, same Generator seed", sgDev, sgCpu, 1e-2, 5e-2);

        // ResNet-18 covers the residual blocks, strided convs and adaptive pooling.
        using var r1 = new Generator(23);
        using var r2 = new Generator(23);
        using var resCpu = ClassifierSpec.ResNet18(10, 3).Build(r1);
        using var resDev = ClassifierSpec.ResNet18(10, 3).Build(r2);
        resDev.To(device);
        resCpu.Eval();
        resDev.Eval();
        var images = Tensor.Rand([4, 3, 32, 32], data);
        using (Torch.Torch.NoGrad())
        {
            log.Compare("e. ResNet-18 logits (eval, no-grad)", resDev.Forward(images.To(device)), resCpu.Forward(images), 1e-2, 5e-2);
        }
    }
}
