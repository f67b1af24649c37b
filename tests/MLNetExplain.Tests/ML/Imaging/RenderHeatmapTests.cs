using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.ML.Imaging;
using MLNetExplain.ML.Persistence;
using MLNetExplain.Tests.Datasets;
using SkiaSharp;

namespace MLNetExplain.Tests.ML.Imaging;

/// <summary>The RenderHeatmap stage in ML.NET pipelines.</summary>
public class RenderHeatmapTests
{
    private const int H = 2, W = 3;
    private readonly MLContext _ml = new(seed: 1);

    public sealed class Row
    {
        [VectorType(1, H, W)]
        public float[] Attribution { get; set; } = [];

        [VectorType(3, H, W)]
        public float[] Features { get; set; } = [];

        public float Score { get; set; }
    }

    public sealed class Output
    {
        [Microsoft.ML.Transforms.Image.ImageType(3 * H, 3 * W)]
        public MLImage Heatmap { get; set; } = null!;

        public float Score { get; set; }
    }

    /// <summary>Row i: attribution ramp (i + 1) * (0..5), RGB pixels in [0, 1], score i.</summary>
    private static Row[] Rows(int count) =>
    [
        .. Enumerable.Range(0, count).Select(i => new Row
        {
            Attribution = [.. Enumerable.Range(0, H * W).Select(p => (i + 1f) * p)],
            Features = [.. Enumerable.Range(0, 3 * H * W).Select(k => (k * 7 + i) % 11 / 10f)],
            Score = i,
        }),
    ];

    private static SKBitmap Read(IDataView view, string column, int row)
    {
        using DataViewRowCursor cursor = view.GetRowCursor([view.Schema[column]]);
        var getter = cursor.GetGetter<MLImage>(view.Schema[column]);
        MLImage image = null!;
        for (int i = 0; i <= row; i++)
        {
            Assert.True(cursor.MoveNext());
        }

        getter(ref image);
        using (image)
        {
            return image.ToSKBitmap();
        }
    }

    private static void AssertSame(SKBitmap expected, SKBitmap actual)
    {
        Assert.Equal((expected.Width, expected.Height), (actual.Width, actual.Height));
        for (int y = 0; y < expected.Height; y++)
        {
            for (int x = 0; x < expected.Width; x++)
            {
                Assert.Equal(expected.GetPixel(x, y), actual.GetPixel(x, y));
            }
        }
    }

    [Fact]
    public void HeatmapColumnHoldsTheRenderersImagePerRow()
    {
        IDataView data = _ml.Data.LoadFromEnumerable(Rows(3));
        var estimator = _ml.Transforms.RenderHeatmap("Heatmap", "Attribution", outlierPercent: 0);
        IDataView output = estimator.Fit(data).Transform(data);

        Assert.Equal(new Microsoft.ML.Transforms.Image.ImageDataViewType(H, W), output.Schema["Heatmap"].Type);
        using SKBitmap actual = Read(output, "Heatmap", 2);
        // The ramp normalises to p / 5 whatever its factor, so pixel p is Viridis(p / 5).
        for (int p = 0; p < H * W; p++)
        {
            Assert.Equal(ColorMap.Viridis.Map(p / 5.0), actual.GetPixel(p % W, p / W));
        }
    }

    [Fact]
    public void OverlayOnAPixelColumnMatchesTheRendererAndScaleMagnifies()
    {
        Row[] rows = Rows(2);
        IDataView data = _ml.Data.LoadFromEnumerable(rows);
        var options = new HeatmapRenderingEstimator.Options
        {
            OutputColumnName = "Heatmap", InputColumnName = "Attribution", ImageColumnName = "Features",
            Sign = HeatmapSign.Positive, Alpha = 0.7, Scale = 2, GreyBackground = false,
        };
        IDataView output = _ml.Transforms.RenderHeatmap(options).Fit(data).Transform(data);

        Assert.Equal(new Microsoft.ML.Transforms.Image.ImageDataViewType(2 * H, 2 * W), output.Schema["Heatmap"].Type);
        using SKBitmap overlay = HeatmapRenderer.Overlay(rows[1].Attribution, 1, H, W, rows[1].Features, 3, options);
        using SKBitmap expected = PlanarPixels.Magnify(overlay, 2);
        using SKBitmap actual = Read(output, "Heatmap", 1);
        AssertSame(expected, actual);
    }

    [Fact]
    public void PredictionEngineRendersOneRowAndPassesColumnsThrough()
    {
        Row[] rows = Rows(2);
        IDataView data = _ml.Data.LoadFromEnumerable(rows);
        ITransformer model = _ml.Transforms.RenderHeatmap("Heatmap", "Attribution", imageColumnName: "Features", scale: 3)
            .Fit(data);
        using var engine = _ml.Model.CreatePredictionEngine<Row, Output>(model);

        Output prediction = engine.Predict(rows[1]);
        using MLImage image = prediction.Heatmap;
        Assert.Equal(1f, prediction.Score);
        Assert.Equal((3 * W, 3 * H), (image.Width, image.Height));
        using SKBitmap overlay = HeatmapRenderer.Overlay(rows[1].Attribution, 1, H, W, rows[1].Features, 3);
        using SKBitmap expected = PlanarPixels.Magnify(overlay, 3);
        using SKBitmap actual = image.ToSKBitmap();
        AssertSame(expected, actual);
    }

    [Fact]
    public void OverlayOnLoadedImagesAndDownstreamImageAnalyticsStages()
    {
        // PNGs on disk -> LoadImages -> ResizeImages (to the attribution's size) -> RenderHeatmap over them ->
        // ExtractPixels of the heat map: ML.NET's own stages accept the image column this stage makes.
        using var dir = new TempDirectory();
        byte[] planar = [.. Enumerable.Range(0, 3 * H * W).Select(k => (byte)(k * 13))];
        using (SKBitmap picture = PlanarPixels.ToBitmap(planar, 3, H, W))
        {
            PngFile.Save(picture, dir.File("a.png"));
        }

        IDataView data = _ml.Data.LoadFromEnumerable(
            [new PathRow { Path = dir.File("a.png"), Attribution = Rows(1)[0].Attribution }]);
        var pipeline = _ml.Transforms.LoadImages("Image", null!, "Path")
            .Append(_ml.Transforms.ResizeImages("Image", W, H))
            .Append(_ml.Transforms.RenderHeatmap("Heatmap", "Attribution", imageColumnName: "Image"))
            .Append(_ml.Transforms.ExtractPixels("HeatPixels", "Heatmap"));
        IDataView output = pipeline.Fit(data).Transform(data);

        using SKBitmap expected = HeatmapRenderer.Overlay(Rows(1)[0].Attribution, 1, H, W, planar, 3);
        float[] pixels = output.GetColumn<float[]>("HeatPixels").Single();
        Assert.Equal(PlanarPixels.FromBitmap(expected).Select(b => (float)b), pixels);
    }

    [Fact]
    public void RenderingIsLazy()
    {
        // A NaN attribution cannot be rendered, yet reading the other columns never touches it.
        Row[] rows = Rows(2);
        rows[1].Attribution[0] = float.NaN;
        IDataView output = _ml.Transforms.RenderHeatmap("Heatmap", "Attribution").Fit(_ml.Data.LoadFromEnumerable(rows))
            .Transform(_ml.Data.LoadFromEnumerable(rows));

        Assert.Equal([0f, 1f], output.GetColumn<float>("Score"));
        Assert.Throws<ArgumentException>(() => Read(output, "Heatmap", 1).Dispose());
    }

    [Fact]
    public void SchemaErrorsNameTheColumnBeforeAnythingIsFitted()
    {
        IDataView data = _ml.Data.LoadFromEnumerable(Rows(1));
        var missing = Assert.ThrowsAny<ArgumentException>(() =>
            _ml.Transforms.CopyColumns("Copy", "Attribution").Append(_ml.Transforms.RenderHeatmap("Heatmap", "Nope")).Fit(data));
        Assert.Contains("'Nope'", missing.Message);

        var wrongType = Assert.ThrowsAny<ArgumentException>(() => _ml.Transforms.RenderHeatmap("Heatmap", "Score").Fit(data));
        Assert.Contains("'Score'", wrongType.Message);
        Assert.Contains("Vector<Single, C, H, W>", wrongType.Message);

        var wrongImage = Assert.ThrowsAny<ArgumentException>(() =>
            _ml.Transforms.RenderHeatmap("Heatmap", "Attribution", imageColumnName: "Score").Fit(data));
        Assert.Contains("'Score'", wrongImage.Message);

        Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Transforms.RenderHeatmap("Heatmap", "Attribution", alpha: 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Transforms.RenderHeatmap("Heatmap", "Attribution", scale: 0));
    }

    [Fact]
    public void MLNetModelSaveFailsClearly()
    {
        IDataView data = _ml.Data.LoadFromEnumerable(Rows(1));
        ITransformer model = _ml.Transforms.RenderHeatmap("Heatmap", "Attribution").Fit(data);
        using var dir = new TempDirectory();
        var e = Assert.Throws<NotSupportedException>(() => _ml.Model.Save(model, data.Schema, dir.File("model.zip")));
        Assert.Contains("HeatmapRenderingTransformer", e.Message);
    }

    [Fact]
    public void SaveWithExplainersKeepsTheStageAndItsColourMaps()
    {
        Row[] rows = Rows(2);
        IDataView data = _ml.Data.LoadFromEnumerable(rows);
        var custom = new ColorMap("ramp", [new SKColor(0x10, 0x20, 0x30), new SKColor(0xF0, 0xE0, 0xD0)]);
        ITransformer model = _ml.Transforms.CopyColumns("Copy", "Attribution")
            .Append(_ml.Transforms.RenderHeatmap(new HeatmapRenderingEstimator.Options
            {
                OutputColumnName = "Heatmap", InputColumnName = "Copy", ImageColumnName = "Features",
                SequentialMap = custom, Alpha = 0.3, Scale = 2, OutlierPercent = 10,
            }))
            .Fit(data);
        using var dir = new TempDirectory();
        _ml.Model.SaveWithExplainers(model, data.Schema, dir.File("heat.zip"));

        using var loaded = _ml.Model.LoadWithExplainers(dir.File("heat.zip"), out _);
        var stage = Assert.IsType<HeatmapRenderingTransformer>(loaded.Last());
        Assert.Equal(custom.Anchors, stage.Options.SequentialMap.Anchors);
        Assert.Equal(("ramp", 0.3, 2, 10.0), (stage.Options.SequentialMap.Name, stage.Options.Alpha, stage.Options.Scale, stage.Options.OutlierPercent));
        using SKBitmap before = Read(model.Transform(data), "Heatmap", 1);
        using SKBitmap after = Read(loaded.Transform(data), "Heatmap", 1);
        AssertSame(before, after);
    }

    public sealed class PathRow
    {
        public string Path { get; set; } = "";

        [VectorType(1, H, W)]
        public float[] Attribution { get; set; } = [];
    }
}
