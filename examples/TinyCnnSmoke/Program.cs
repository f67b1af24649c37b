// Smoke test of the tensor engine: trains a tiny CNN for a few steps on a synthetic two-class image task
// (bright left half vs bright right half) and prints the loss, which should fall towards zero.
using MLNetExplain.Torch;
using MLNetExplain.Torch.NN;
using MLNetExplain.Torch.Optim;

var steps = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 40;
using var generator = new Generator(2024);
using var model = new Sequential(
    new Conv2d(1, 8, 3, padding: 1, generator: generator), new BatchNorm2d(8), new ReLU(), new MaxPool2d(2),
    new Conv2d(8, 16, 3, padding: 1, generator: generator), new ReLU(), new AdaptiveAvgPool2d(1, 1),
    new Flatten(), new Linear(16, 2, generator: generator));
using var optimizer = new Sgd(model.Parameters(), learningRate: 0.05, momentum: 0.9);

Console.WriteLine($"libtorch threads: {Torch.NumThreads}, CUDA devices: {Torch.CudaDeviceCount}, parameters: {model.ParameterCount()}");
for (var step = 1; step <= steps; step++)
{
    using var scope = Torch.NewDisposeScope();
    var labels = Tensor.Randint(0, 2, [32], generator);
    var columns = Tensor.Arange(0, 28, 1, ScalarType.Float32).View(1, 1, 1, 28);
    var isRight = labels.To(ScalarType.Float32).View(32, 1, 1, 1);
    var left = columns.Lt(14).To(ScalarType.Float32);
    var images = (isRight * (1 - left) + (1 - isRight) * left).Expand(32, 1, 28, 28)
        + Tensor.Randn([32, 1, 28, 28], generator) * 0.5;

    var loss = Functional.CrossEntropy(model.Forward(images), labels);
    optimizer.ZeroGrad();
    loss.Backward();
    optimizer.Step();
    if (step == 1 || step % 10 == 0)
    {
        Console.WriteLine($"step {step,3}  loss {loss.ToDouble():F4}");
    }
}
