using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.Attribution;
using MLNetExplain.Datasets;
using MLNetExplain.ML.Data;
using MLNetExplain.ML.Stages;
using MLNetExplain.Models;
using static TorchSharp.torch;

namespace MLNetExplain.Benchmarks;

/// <summary>
/// (f) The ML.NET path against the direct TorchSharp loop, our side only: Saliency maps of the predicted class for
/// 2000 Fashion-MNIST test images with the demo's small CNN, (1) through <c>mlContext.Transforms.Saliency</c>:
/// Transform and one full cursor pass reading every map, and (2) a hand-written loop over the same images already in
/// one tensor, in batches, each map copied into a float array. Batch 64 and 128. Goal: the pipeline at least 0.9x
/// the loop's throughput.
/// </summary>
internal sealed class PipelineBenchmarks : Section
{
    private const int Images = 2000;
    private static readonly int[] Batches = [64, 128];

    public override string Name => "pipeline";

    public override bool HasPeer => false;

    public override string Title(Settings settings) =>
        $"ML.NET Saliency stage (Transform + cursor pass) vs direct TorchSharp loop, {Images} Fashion-MNIST images, small CNN";

    public override IReadOnlyList<Row> Rows(Settings settings) =>
    [
        .. Batches.SelectMany(b => new Row[]
        {
            new($"direct loop, batch {b}, per image", $"direct/{b}", null, Row.MsPerImage(Images)),
            new($"ML.NET stage + cursor pass, batch {b}, per image", $"pipeline/{b}", null, Row.MsPerImage(Images)),
        }),
    ];

    public override IEnumerable<string> Notes(Settings settings, Samples ours, Samples peer) =>
        Batches.Select(b => $"batch {b}: pipeline throughput / direct loop throughput = {Report.Ratio(ours.Median($"direct/{b}"), ours.Median($"pipeline/{b}"))}");

    public override void MeasureOurs(Settings settings, Samples into)
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.TakeRows(mlContext.Data.LoadFashionMnist(DatasetSplit.Test), Images);
        using var model = ClassifierSpec.SmallCnn(10, 1, 16).Build(new Generator(1));
        model.eval();
        var (images, _) = FashionMnist.Load(DatasetSplit.Test).ToTensors(0, Images);
        using (images)
        {
            foreach (int batch in Batches)
            {
                var stage = mlContext.Transforms.Saliency(model, new SaliencyAttributionOptions { BatchSize = batch }).Fit(data);
                var saliency = new Saliency(model);
                for (int k = 0; k < settings.Warmup + settings.Iterations; k++)
                {
                    double direct = Time(() => DirectLoop(model, saliency, images, batch));
                    double pipeline = Time(() => CursorPass(stage.Transform(data)));
                    if (k >= settings.Warmup)
                    {
                        into.Add($"direct/{batch}", direct);
                        into.Add($"pipeline/{batch}", pipeline);
                    }
                }

                stage.Dispose();
            }
        }
    }

    private static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalMilliseconds;
    }

    private static void DirectLoop(nn.Module<Tensor, Tensor> model, Saliency saliency, Tensor images, int batch)
    {
        var map = new float[784];
        for (long first = 0; first < Images; first += batch)
        {
            using var scope = NewDisposeScope();
            long count = Math.Min(batch, Images - first);
            var x = images.narrow(0, first, count);
            Tensor predicted;
            using (no_grad())
            {
                predicted = model.call(x).argmax(1);
            }

            var values = saliency.Attribute(x, predicted).contiguous().data<float>().ToArray();
            for (int i = 0; i < count; i++)
            {
                // The same copy-out the stage does: each row's map into a managed array.
                Array.Copy(values, i * map.Length, map, 0, map.Length);
            }
        }
    }

    private static void CursorPass(IDataView scored)
    {
        var column = scored.Schema["Saliency"];
        using var cursor = scored.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> map = default;
        while (cursor.MoveNext())
        {
            getter(ref map);
        }
    }
}
