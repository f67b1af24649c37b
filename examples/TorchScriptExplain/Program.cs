// Explains a classifier trained in Python. export_model.py (shipped next to this file) trains a small Fashion-MNIST
// CNN with Debian's python3-torch and saves it as TorchScript, exporting features(x) and classify(f) next to
// forward(x). MLNetExplain loads it as a TorchScriptBackbone, explains a few test images with Saliency, SmoothGrad
// and Grad-CAM (at the exported feature map: hooks do not fire inside TorchScript), and draws one PNG grid.
//
//   dotnet run --project examples/TorchScriptExplain [-- model.pt [grid.png]]
//
// Without a model path it runs /usr/bin/python3 export_model.py first.
using System.Diagnostics;
using MLNetExplain.Attribution;
using MLNetExplain.Datasets;
using MLNetExplain.ML.Imaging;
using MLNetExplain.Models;
using static TorchSharp.torch;

const int Images = 6, Side = 28;
string output = args.Length > 1 ? args[1] : Path.GetFullPath("torchscript_heatmaps.png");
string modelPath = args.Length > 0 ? args[0] : ExportModel(Path.Combine(Path.GetTempPath(), "mlnetexplain-fashion_cnn.pt"));

using var model = TorchScriptBackbone.Load(modelPath, inputShape: [1, Side, Side], classNames: FashionMnist.ClassNames);
using var scope = NewDisposeScope();
var (images, labels) = FashionMnist.Load(DatasetSplit.Test).ToTensors(0, Images);
Tensor predicted;
using (no_grad())
{
    predicted = model.call(images).argmax(1);
}

using var smoothGrad = new SmoothGrad(model, new SmoothGradOptions { Samples = 20, Seed = 1 });
var columns = new (string Name, Tensor Maps)[]
{
    ("Saliency", new Saliency(model).Attribute(images, predicted)),
    ("SmoothGrad", smoothGrad.Attribute(images, predicted)),
    ("Grad-CAM", new GradCam(model, new GradCamOptions { Upsample = GradCamUpsampling.Bilinear }).Attribute(images, predicted)),
};

var grid = new ImageGrid(Images, columns.Length + 1, Side, Side, scale: 4);
grid.SetColumnLabel(0, "image");
for (int c = 0; c < columns.Length; c++)
{
    grid.SetColumnLabel(c + 1, columns[c].Name);
}

int correct = 0;
for (int i = 0; i < Images; i++)
{
    var image = images[i].data<float>().ToArray();
    int guess = (int)predicted[i].item<long>();
    correct += guess == labels[i].item<long>() ? 1 : 0;
    grid.SetRowLabel(i, FashionMnist.ClassNames[guess]);
    using (var bitmap = PlanarPixels.ToBitmap(image, 1, Side, Side))
    {
        grid.SetCell(i, 0, bitmap);
    }

    for (int c = 0; c < columns.Length; c++)
    {
        var map = columns[c].Maps[i].contiguous().data<float>().ToArray();
        // Grad-CAM is signed (Captum's default); the heatmap shows its positive evidence, the gradient maps their magnitude.
        var options = new HeatmapOptions { Sign = columns[c].Name == "Grad-CAM" ? HeatmapSign.Positive : HeatmapSign.Absolute };
        using var heat = HeatmapRenderer.Overlay(map, (int)columns[c].Maps.shape[1], Side, Side, image, 1, options);
        grid.SetCell(i, c + 1, heat);
    }
}

grid.SavePng(output);
Console.WriteLine($"Explained {Images} Fashion-MNIST images ({correct} predicted right) from TorchScript model {modelPath} " +
    $"(feature map {model.FeatureChannels} channels) with Saliency, SmoothGrad and Grad-CAM; heatmaps written to {output}");
return 0;

// Runs the shipped export_model.py with Debian's PyTorch; the model trains for a few hundred steps on Fashion-MNIST.
static string ExportModel(string path)
{
    var script = Path.Combine(AppContext.BaseDirectory, "export_model.py");
    var start = new ProcessStartInfo("/usr/bin/python3") { ArgumentList = { script, path } };
    using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start /usr/bin/python3.");
    process.WaitForExit();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"export_model.py failed (exit {process.ExitCode}); it needs /usr/bin/python3 with torch (apt-get install python3-torch).");
    }

    return path;
}
