// Loads Fashion-MNIST, builds load -> pixels -> normalise, writes a labelled image grid, and saves and reloads
// the fitted chain, checking that the reloaded chain gives the same features.
using MLNetExplain.Data;
using MLNetExplain.Data.Batching;
using MLNetExplain.Vision;
using MLNetExplain.Vision.Datasets;
using MLNetExplain.Vision.Imaging;

var output = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "mlnetexplain-pipeline");
Directory.CreateDirectory(output);
var context = new ExplainContext(seed: 1);

var train = context.Data.LoadFashionMnist(DatasetSplit.Train);
var test = context.Data.LoadFashionMnist(DatasetSplit.Test);
Console.WriteLine($"Fashion-MNIST: {train.GetRowCount()} train rows, {test.GetRowCount()} test rows; schema {train.Schema}");

var pipeline = context.Transforms.ExtractPixels("Pixels", "Image", scaleImage: 1 / 255f)
    .Append(context.Transforms.NormalizeImage("Features", "Pixels"));
var model = pipeline.Fit(train);
var normalizer = (MLNetExplain.Vision.Transforms.ImageNormalizingTransformer)model.LastTransformer;
Console.WriteLine($"Learned normalisation: mean {normalizer.Mean[0]:F4}, std {normalizer.Std[0]:F4}");

// A grid: one row per class, the first six test images of that class.
var classNames = test.Schema["Label"].Annotations.KeyValues!;
var grid = new ImageGrid(classNames.Count, 6, 28, 28, scale: 3);
var filled = new int[classNames.Count];
var image = test.Schema["Image"];
var label = test.Schema["Label"];
using (var cursor = test.GetRowCursor([image, label]))
{
    var getImage = cursor.GetGetter<VBuffer<byte>>(image);
    var getLabel = cursor.GetGetter<uint>(label);
    var pixels = default(VBuffer<byte>);
    uint key = 0;
    while (cursor.MoveNext() && filled.Any(n => n < 6))
    {
        getLabel(ref key);
        var row = (int)key - 1;
        if (filled[row] == 6)
        {
            continue;
        }

        getImage(ref pixels);
        grid.SetCell(row, filled[row]++, new RasterImage(pixels.ToArray(), 28, 28, 1));
    }
}

for (var r = 0; r < classNames.Count; r++)
{
    grid.SetRowLabel(r, classNames[r]);
}

var gridPath = Path.Combine(output, "fashion-mnist-grid.png");
grid.SavePng(gridPath);
Console.WriteLine($"Wrote {gridPath}");

var modelPath = Path.Combine(output, "pipeline.zip");
context.Model.Save(model, train.Schema, modelPath);
var reloaded = context.Model.Load(modelPath, out _);
using var original = new TensorBatchCursor(model.Transform(test), "Features", 512);
using var again = new TensorBatchCursor(reloaded.Transform(test), "Features", 512);
var identical = true;
while (original.MoveNext() && again.MoveNext())
{
    identical &= original.Features.ToArray<float>().AsSpan().SequenceEqual(again.Features.ToArray<float>());
}

Console.WriteLine($"Saved {modelPath}; reloaded chain reproduces the features bit for bit: {identical}");
return identical ? 0 : 1;
