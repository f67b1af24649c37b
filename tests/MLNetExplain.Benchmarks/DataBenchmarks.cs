// The data section (issue "Pipeline"): how fast the data layer moves Fashion-MNIST's 60,000 training rows, measured
// against a plain memory copy of the same number of bytes in the same run.
//
//   * a cursor pass reading the Image byte vector and the Label key through getters;
//   * TensorBatchCursor (batch 256) assembling [256, 1, 28, 28] tensors from ExtractPixels' Features (float; what
//     the trainers read), with and without the label, from Features cached in memory, and from the raw Image bytes;
//   * Data.Cache of the lazy ExtractPixels view (materialising Image, Label and Features);
//   * the baselines: Span<T>.CopyTo of a dataset-sized array into another of the same size, 256 rows per copy (the
//     "equally sized arrays" copy), and into one reused 256-row buffer (as TensorBatchCursor's staging buffer).

using System.Diagnostics;
using MLNetExplain.Data;
using MLNetExplain.Data.Batching;
using MLNetExplain.Vision;
using MLNetExplain.Vision.Datasets;

namespace MLNetExplain.Benchmarks;

internal static class DataBenchmarks
{
    private const int BatchSize = 256;
    private const int PassesPerRound = 2;

    private static long s_sink;

    private sealed record Case(string Name, long BytesPerRow, bool FloatBaseline, Func<long> Pass, int PassesPerRound = PassesPerRound)
    {
        public List<double> Ms { get; } = [];

        public long Rows { get; set; }
    }

    public static void Run(Settings settings)
    {
        Console.WriteLine("== data: Fashion-MNIST train (60,000 rows) cursor pass and batch-tensor assembly vs memory copy ==");
        Console.WriteLine($"  load average at start: {Report.LoadAverage()}");
        var context = new ExplainContext(seed: 1);
        IDataView raw;
        var clock = Stopwatch.StartNew();
        try
        {
            raw = context.Data.LoadFashionMnist(DatasetSplit.Train);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or InvalidDataException)
        {
            Console.WriteLine($"  skipped: Fashion-MNIST is not available ({e.Message})");
            Console.WriteLine();
            return;
        }

        var loadMs = clock.Elapsed.TotalMilliseconds;
        var rows = raw.GetRowCount() ?? throw new InvalidOperationException("The Fashion-MNIST view has no row count.");
        var pixels = context.Transforms.ExtractPixels("Features", "Image", scaleImage: 1 / 255f);
        var features = pixels.Fit(raw).Transform(raw);
        clock.Restart();
        var cached = context.Data.Cache(features);
        var cacheMs = clock.Elapsed.TotalMilliseconds;
        Console.WriteLine($"  LoadFashionMnist (decompress + decode IDX) {loadMs:F0} ms; first Data.Cache of Image + Label + Features {cacheMs:F0} ms");

        var imageSize = 28 * 28;
        var byteSource = new byte[rows * imageSize];
        var byteTarget = new byte[byteSource.Length];
        var floatSource = new float[rows * imageSize];
        var floatTarget = new float[floatSource.Length];
        var byteBatch = new byte[BatchSize * imageSize];
        var floatBatch = new float[BatchSize * imageSize];
        new Random(1).NextBytes(byteSource);
        for (var i = 0; i < floatSource.Length; i++)
        {
            floatSource[i] = byteSource[i] / 255f;
        }

        var memcpyFloat = new Case($"memory copy, float32 ({imageSize * 4} B/row), into a same-size array", imageSize * 4, true,
            () => Copy(floatSource, floatTarget, imageSize, reuseTarget: false));
        var memcpyByte = new Case($"memory copy, byte ({imageSize} B/row), into a same-size array", imageSize, false,
            () => Copy(byteSource, byteTarget, imageSize, reuseTarget: false));
        var memcpyFloatBatch = new Case("memory copy, float32, into one reused 256-row buffer", imageSize * 4, true,
            () => Copy(floatSource, floatBatch, imageSize, reuseTarget: true));
        var memcpyByteBatch = new Case("memory copy, byte, into one reused 256-row buffer", imageSize, false,
            () => Copy(byteSource, byteBatch, imageSize, reuseTarget: true));
        Case[] cases =
        [
            memcpyFloat,
            memcpyByte,
            memcpyFloatBatch,
            memcpyByteBatch,
            new($"cursor pass: Image (byte vector) + Label (key) getters ({imageSize + 4} B/row)", imageSize + 4, false, () => CursorPass(raw)),
            new("TensorBatchCursor: Features (ExtractPixels, lazy) -> float32 [256,1,28,28]", imageSize * 4, true,
                () => BatchPass(features, "Features", null)),
            new("TensorBatchCursor: Features + Label (the trainers' read) -> float32 + int64", imageSize * 4 + 8, true,
                () => BatchPass(features, "Features", "Label")),
            new("TensorBatchCursor: Features after Data.Cache (in memory) -> float32", imageSize * 4, true,
                () => BatchPass(cached, "Features", null)),
            new("TensorBatchCursor: Image (in memory, raw bytes) -> uint8 [256,1,28,28]", imageSize, false,
                () => BatchPass(raw, "Image", null)),
            new($"Data.Cache of the lazy ExtractPixels view (Image + Label + Features, {imageSize * 5 + 4} B/row)", imageSize * 5 + 4, true,
                () => context.Data.Cache(features).GetRowCount() ?? 0, PassesPerRound: 1),
        ];

        foreach (var c in cases)
        {
            c.Rows = c.Pass(); // warm-up: JIT, page faults of the targets
        }

        for (var round = 0; round < settings.Rounds; round++)
        {
            // Alternate the order so drift in the machine's speed does not favour one case.
            var order = round % 2 == 0 ? cases : cases.Reverse().ToArray();
            foreach (var c in order)
            {
                for (var k = 0; k < c.PassesPerRound; k++)
                {
                    var sw = Stopwatch.StartNew();
                    var n = c.Pass();
                    c.Ms.Add(sw.Elapsed.TotalMilliseconds);
                    if (n != rows)
                    {
                        throw new InvalidOperationException($"{c.Name}: read {n} rows, expected {rows}.");
                    }
                }
            }
        }

        Console.WriteLine($"  load average at end: {Report.LoadAverage()}");
        Console.WriteLine();
        double MBps(Case c) => c.BytesPerRow * rows / (Report.Median(c.Ms) / 1000) / 1e6;
        var table = cases.Select(c =>
        {
            var ms = Report.Median(c.Ms);
            return new[]
            {
                c.Name, Report.Num(ms, "F1", " ms"), Report.Num(rows / (ms / 1000) / 1e6, "F2", " M rows/s"), Report.Num(MBps(c), "F0", " MB/s"),
                Report.Ratio(MBps(c), MBps(c.FloatBaseline ? memcpyFloat : memcpyByte)),
                Report.Ratio(MBps(c), MBps(c.FloatBaseline ? memcpyFloatBatch : memcpyByteBatch)),
            };
        }).ToList();
        Report.PrintTable(["benchmark (one pass over 60,000 rows)", "median pass", "rows/s", "throughput", "vs copy (same-size array)",
            "vs copy (reused 256-row buffer)"], table);
        Console.WriteLine();
        Console.WriteLine($"median of {settings.Rounds * PassesPerRound} passes each ({settings.Rounds} for Data.Cache) after one warm-up pass, " +
                          "interleaved; MB = 10^6 bytes (of the output tensors for TensorBatchCursor); 'vs copy' = throughput / that memory " +
                          "copy's throughput for the same element type (float32 or byte), both Span.CopyTo 256 rows at a time: 1.00x is copy speed.");
        Console.WriteLine();
    }

    private static long Copy<T>(T[] source, T[] target, int rowSize, bool reuseTarget) where T : unmanaged
    {
        var chunk = BatchSize * rowSize;
        for (var offset = 0; offset < source.Length; offset += chunk)
        {
            var n = Math.Min(chunk, source.Length - offset);
            source.AsSpan(offset, n).CopyTo(target.AsSpan(reuseTarget ? 0 : offset, n));
        }

        return source.Length / rowSize;
    }

    private static long CursorPass(IDataView view)
    {
        var image = view.Schema["Image"];
        var label = view.Schema["Label"];
        using var cursor = view.GetRowCursor([image, label]);
        var getImage = cursor.GetGetter<VBuffer<byte>>(image);
        var getLabel = cursor.GetGetter<uint>(label);
        var buffer = default(VBuffer<byte>);
        uint key = 0;
        long rows = 0, checksum = 0;
        while (cursor.MoveNext())
        {
            getImage(ref buffer);
            getLabel(ref key);
            checksum += key + buffer.GetValues()[buffer.Length / 2];
            rows++;
        }

        s_sink = checksum;
        return rows;
    }

    private static long BatchPass(IDataView view, string column, string? labelColumn)
    {
        using var batches = new TensorBatchCursor(view, column, BatchSize, labelColumn);
        while (batches.MoveNext())
        {
            s_sink += batches.Count;
        }

        return batches.RowsRead;
    }
}
