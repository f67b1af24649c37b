using MLNetExplain.Attribution;
using MLNetExplain.Datasets;
using MLNetExplain.ML.Imaging;
using MLNetExplain.Models;
using MLNetExplain.Tests.Datasets;
using MLNetExplain.Tests.Models;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.TorchScript;

/// <summary>The TorchScriptExplain example's flow on a model its export_model.py writes (briefly trained).</summary>
public sealed class TorchScriptExampleTests
{
    [PythonTorchFact]
    public void ExampleScriptWritesAModelThatSaliencySmoothGradAndGradCamExplainIntoAPngGrid()
    {
        using var folder = new TempDirectory();
        var modelPath = folder.File("fashion_cnn.pt");
        PythonTorch.Run(File.ReadAllText(ExportedModelFiles.ExportScript), modelPath, "--steps", "20");

        using var scope = NewDisposeScope();
        using var model = TorchScriptBackbone.Load(modelPath, inputShape: [1, 28, 28], classNames: FashionMnist.ClassNames);
        var (images, _) = FashionMnist.Load(DatasetSplit.Test).ToTensors(0, 3);
        Tensor predicted;
        using (no_grad())
        {
            predicted = model.call(images).argmax(1);
        }

        using var smoothGrad = new SmoothGrad(model, new SmoothGradOptions { Samples = 4, Seed = 1 });
        var maps = new[]
        {
            new Saliency(model).Attribute(images, predicted),
            smoothGrad.Attribute(images, predicted),
            new GradCam(model, new GradCamOptions { Upsample = GradCamUpsampling.Bilinear }).Attribute(images, predicted),
        };
        var grid = new ImageGrid(3, maps.Length, 28, 28, scale: 2);
        for (int i = 0; i < 3; i++)
        {
            var image = images[i].data<float>().ToArray();
            for (int c = 0; c < maps.Length; c++)
            {
                Assert.True(maps[c].isfinite().all().item<bool>() && maps[c][i].abs().max().item<float>() > 0, $"map {c} of image {i}");
                using var heat = HeatmapRenderer.Overlay(maps[c][i].contiguous().data<float>().ToArray(), (int)maps[c].shape[1], 28, 28, image, 1);
                grid.SetCell(i, c, heat);
            }
        }

        var png = folder.File("grid.png");
        grid.SavePng(png);
        using var written = PngFile.Load(png);
        Assert.Equal((grid.Width, grid.Height), (written.Width, written.Height));
    }
}
