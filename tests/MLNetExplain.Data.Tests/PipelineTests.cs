using Microsoft.Extensions.DependencyInjection;
using MLNetExplain.Data.Views;
using MLNetExplain.Torch;

namespace MLNetExplain.Data.Tests;

/// <summary>A minimal savable stage for pipeline tests: Output = Input * a scale stored as a tensor.</summary>
public sealed class ScaleTransformer(string output, string input, float scale) : ISavableTransformer
{
    public bool IsRowToRowMapper => true;

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        var shape = SchemaShape.Create(inputSchema);
        var c = shape.Require(input, "a Single vector", x => x.Kind == SchemaShape.VectorKind.Vector && x.ItemType == NumberDataViewType.Single,
            nameof(ScaleTransformer));
        return inputSchema.Append([(output, c.ToType(), null)]);
    }

    public IDataView Transform(IDataView data)
    {
        GetOutputSchema(data.Schema);
        return new MappedDataView(data, new Mapper(output, input, scale));
    }

    public void Save(ModelSaveContext context)
    {
        context.SetParameters(new Params(output, input));
        using var t = Tensor.From(new[] { scale });
        context.SaveTensors("scale", new Dictionary<string, Tensor> { ["scale"] = t });
    }

    public static ScaleTransformer Load(ModelLoadContext context)
    {
        var p = context.GetParameters<Params>();
        var tensors = context.LoadTensors("scale");
        using var t = tensors["scale"];
        return new ScaleTransformer(p.Output, p.Input, t.Item<float>());
    }

    private sealed record Params(string Output, string Input);

    private sealed class Mapper(string output, string input, float scale) : RowMapper
    {
        public override IReadOnlyList<(string Name, DataViewType Type, DataViewSchema.Annotations? Annotations)> OutputColumns =>
            [(output, new VectorDataViewType(NumberDataViewType.Single, 1, 2, 3), null)];

        public override IEnumerable<DataViewSchema.Column> GetDependencies(DataViewSchema schema, IReadOnlyList<int> active) => [schema[input]];

        public override Delegate?[] CreateGetters(DataViewRow row, bool[] active)
        {
            var src = row.GetGetter<VBuffer<float>>(row.Schema[input]);
            var buffer = default(VBuffer<float>);
            return [(ValueGetter<VBuffer<float>>)((ref VBuffer<float> v) =>
            {
                src(ref buffer);
                var dst = VBuffer<float>.Edit(ref v, buffer.Length);
                for (var i = 0; i < dst.Length; i++)
                {
                    dst[i] = buffer.GetValues()[i] * scale;
                }
            })];
        }
    }
}

public sealed class ScaleEstimator(string output, string input, float scale) : IEstimator<ScaleTransformer>
{
    public int Fits;

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var c = inputSchema.Require(input, "a Single vector", x => x.Kind == SchemaShape.VectorKind.Vector && x.ItemType == NumberDataViewType.Single,
            nameof(ScaleEstimator));
        return inputSchema.With(c with { Name = output });
    }

    public ScaleTransformer Fit(IDataView data)
    {
        Fits++;
        return new ScaleTransformer(output, input, scale);
    }
}

public sealed class PipelineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlx-pipe-").FullName;
    private readonly ExplainContext _context = new(seed: 3);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (TransformerChain<ScaleTransformer> Model, IDataView Data) FitChain()
    {
        var data = TestData.InMemory(5);
        var chain = new ScaleEstimator("Scaled", "Pixels", 2).Append(new ScaleEstimator("Scaled2", "Scaled", 0.5f));
        return (chain.Fit(data), data);
    }

    [Fact]
    public void ChainChecksEverySchemaBeforeFittingAnything()
    {
        var first = new ScaleEstimator("Scaled", "Pixels", 2);
        var chain = first.Append(new ScaleEstimator("Out", "Missing", 1));
        var ex = Assert.Throws<SchemaMismatchException>(() => chain.Fit(TestData.InMemory(3)));
        Assert.Equal(0, first.Fits);
        Assert.Equal("Missing", ex.ColumnName);
        Assert.Contains("ScaleEstimator", ex.Message);
        Assert.Contains("a Single vector", ex.Message);
        Assert.Contains("missing", ex.Message);

        var wrongType = new ScaleEstimator("Out", "Label", 1);
        ex = Assert.Throws<SchemaMismatchException>(() => wrongType.GetOutputSchema(SchemaShape.Create(TestData.InMemory(1).Schema)));
        Assert.Contains("Key", ex.Actual);
    }

    [Fact]
    public void SavedChainReproducesOutputsBitForBit()
    {
        var (model, data) = FitChain();
        var path = Path.Combine(_dir, "model.zip");
        _context.Model.Save(model, data.Schema, path);
        var loaded = _context.Model.Load(path, out var schema);
        Assert.Equal(data.Schema.Select(c => c.Type), schema.Select(c => c.Type));
        Assert.Equal(["a", "b", "c"], schema["Label"].Annotations.KeyValues);
        var expected = TestData.Column<VBuffer<float>>(model.Transform(data), "Scaled2").Select(v => v.ToArray());
        var actual = TestData.Column<VBuffer<float>>(loaded.Transform(data), "Scaled2").Select(v => v.ToArray());
        Assert.Equal(expected, actual);
        Assert.IsType<TransformerChain<ScaleTransformer>>(loaded);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    public static TheoryData<string, string> Corruptions => new()
    {
        { "truncated", "not a valid model archive" },
        { "garbage", "not a valid model archive" },
        { "version", "format version 99" },
        { "schema", "does not accept its recorded input schema" },
        { "weights", "scale.safetensors" },
        { "missingEntry", "is missing" },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void CorruptModelFilesFailClearly(string kind, string expected)
    {
        var (model, data) = FitChain();
        var path = Path.Combine(_dir, kind + ".zip");
        _context.Model.Save(model, data.Schema, path);
        var bytes = File.ReadAllBytes(path);
        switch (kind)
        {
            case "truncated":
                File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
                break;
            case "garbage":
                File.WriteAllBytes(path, new byte[100]);
                break;
            default:
                using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Update))
                {
                    void Replace(string entry, Func<string, string> edit)
                    {
                        var e = zip.GetEntry(entry)!;
                        string text;
                        using (var r = new StreamReader(e.Open()))
                        {
                            text = r.ReadToEnd();
                        }

                        e.Delete();
                        using var w = new StreamWriter(zip.CreateEntry(entry).Open());
                        w.Write(edit(text));
                    }

                    switch (kind)
                    {
                        case "version":
                            Replace("manifest.json", t => t.Replace("\"FormatVersion\": 1", "\"FormatVersion\": 99"));
                            break;
                        case "schema":
                            Replace("manifest.json", t => t.Replace("\"Pixels\"", "\"Image\""));
                            break;
                        case "weights":
                            Replace("model/stage0/scale.safetensors", _ => "\u0008\0\0\0\0\0\0\0{\"x\":");
                            break;
                        case "missingEntry":
                            zip.GetEntry("model/stage1/params.json")!.Delete();
                            break;
                    }
                }

                break;
        }

        var ex = Assert.Throws<InvalidDataException>(() => _context.Model.Load(path, out _));
        Assert.Contains(expected, ex.Message);
        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void PredictionEngineAndPool()
    {
        var (model, _) = FitChain();
        var engine = _context.Model.CreatePredictionEngine<ImageRow, ScaledRow>(model);
        var row = TestData.Rows(3)[2];
        Assert.Equal(row.Pixels, engine.Predict(row).Scaled2);
        using var pool = _context.Model.CreatePredictionEnginePool<ImageRow, ScaledRow>(model);
        var results = TestData.Rows(40).AsParallel().Select(r => (r, pool.Predict(r))).ToList();
        Assert.All(results, p => Assert.Equal(p.r.Pixels, p.Item2.Scaled2));
    }

    [Fact]
    public void DependencyInjectionResolvesAConfiguredContext()
    {
        var services = new ServiceCollection().AddMLNetExplain(o =>
        {
            o.Seed = 42;
            o.GpuDeviceId = 3;
            o.FallbackToCpu = true;
        });
        using var provider = services.BuildServiceProvider();
        var context = provider.GetRequiredService<ExplainContext>();
        Assert.Same(context, provider.GetRequiredService<ExplainContext>());
        Assert.Equal(42, context.Seed);
        Assert.Equal(DeviceType.Cpu, context.Device.Type);
        Assert.Equal(new ExplainContext(42).NextSeed(), context.NextSeed());
        Assert.Throws<InvalidOperationException>(() => new ExplainContext(new ExplainContextOptions { GpuDeviceId = 9, FallbackToCpu = false }));
    }

    public sealed class ScaledRow
    {
        public float[] Scaled2 { get; set; } = [];
    }
}
