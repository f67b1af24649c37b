using System.Text;
using MLNetExplain.Torch;
using MLNetExplain.Torch.NN;
using MLNetExplain.Torch.Serialization;

namespace MLNetExplain.Torch.Tests;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlx-st-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] Reference(string header, byte[] data)
    {
        var json = Encoding.UTF8.GetBytes(header);
        return [.. BitConverter.GetBytes((ulong)json.Length), .. json, .. data];
    }

    [Fact]
    public void ReadsAFileLaidOutAsTheReferenceWriterDoes()
    {
        // The layout Python's safetensors.torch.save_file produces for {"a": tensor([1., 2.]), "b": tensor([[7]])}.
        var data = BitConverter.GetBytes(1f).Concat(BitConverter.GetBytes(2f)).Concat(BitConverter.GetBytes(7L)).ToArray();
        var path = Path.Combine(_dir, "ref.safetensors");
        File.WriteAllBytes(path, Reference(
            "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}," +
            "\"b\":{\"dtype\":\"I64\",\"shape\":[1,1],\"data_offsets\":[8,16]}}", data));
        var loaded = SafeTensors.Load(path);
        try
        {
            Assert.Equal(new float[] { 1, 2 }, loaded["a"].ToArray<float>());
            Assert.Equal(new long[] { 1, 1 }, loaded["b"].Shape);
            Assert.Equal(7L, loaded["b"].Item<long>());
            Assert.Equal("pt", SafeTensors.LoadMetadata(path)["format"]);
        }
        finally
        {
            foreach (var t in loaded.Values)
            {
                t.Dispose();
            }
        }
    }

    [Fact]
    public void RoundTripsEveryTypeAndKeepsDataAligned()
    {
        using var scope = Torch.NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>
        {
            ["f32"] = Tensor.Randn([3, 4], new Generator(1)),
            ["f64"] = Tensor.From(new[] { Math.PI, Math.E }),
            ["i64"] = Tensor.From(new long[] { -1, long.MaxValue }),
            ["u8"] = Tensor.From(new byte[] { 0, 255 }),
            ["flag"] = Tensor.From(new[] { true, false }),
            ["scalar"] = Tensor.Scalar(3),
        };
        var path = Path.Combine(_dir, "all.safetensors");
        SafeTensors.Save(path, tensors, new Dictionary<string, string> { ["by"] = "test" });
        var headerLength = BitConverter.ToUInt64(File.ReadAllBytes(path), 0);
        Assert.Equal(0UL, headerLength % 8);
        var loaded = SafeTensors.Load(path);
        foreach (var (name, t) in tensors)
        {
            Assert.Equal(t.Shape, loaded[name].Shape);
            Assert.Equal(t.Type, loaded[name].Type);
            var a = new byte[t.Numel * 8];
            var b = new byte[t.Numel * 8];
            t.CopyBytes(a);
            loaded[name].CopyBytes(b);
            Assert.Equal(a, b);
            loaded[name].Dispose();
        }

        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    public static TheoryData<string, string> CorruptFiles => new()
    {
        { "short", "shorter than the 8-byte" },
        { "hugeHeader", "header length" },
        { "badJson", "not valid JSON" },
        { "badDtype", "unsupported dtype" },
        { "badOffsets", "spans bytes" },
        { "truncatedData", "data section is truncated" },
    };

    [Theory]
    [MemberData(nameof(CorruptFiles))]
    public void RejectsMalformedFilesWithAClearMessage(string kind, string expected)
    {
        var good = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        var bytes = kind switch
        {
            "short" => new byte[] { 1, 2, 3 },
            "hugeHeader" => BitConverter.GetBytes(ulong.MaxValue / 2),
            "badJson" => Reference("{\"a\":", new byte[8]),
            "badDtype" => Reference(good.Replace("F32", "Q7"), new byte[8]),
            "badOffsets" => Reference(good.Replace("[0,8]", "[0,12]"), new byte[12]),
            "truncatedData" => Reference(good, new byte[5]),
            _ => throw new ArgumentException(kind),
        };
        var path = Path.Combine(_dir, kind + ".safetensors");
        File.WriteAllBytes(path, bytes);
        var ex = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains(expected, ex.Message);
        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void ModuleSaveLoadRestoresWeightsAndRejectsMismatches()
    {
        using var scope = Torch.NewDisposeScope();
        var path = Path.Combine(_dir, "model.safetensors");
        using var a = new Sequential(new Conv2d(1, 4, 3, generator: new Generator(1)), new BatchNorm2d(4), new ReLU());
        using var b = new Sequential(new Conv2d(1, 4, 3, generator: new Generator(2)), new BatchNorm2d(4), new ReLU());
        a.Save(path);
        b.Load(path);
        var x = Tensor.Randn([2, 1, 6, 6], new Generator(3));
        a.Eval();
        b.Eval();
        Assert.Equal(a.Forward(x).ToArray<float>(), b.Forward(x).ToArray<float>());
        Assert.Contains("0.weight", a.StateDict().Keys);
        Assert.Contains("1.running_var", a.StateDict().Keys);

        using var wrongShape = new Sequential(new Conv2d(1, 5, 3), new BatchNorm2d(5), new ReLU());
        var ex = Assert.Throws<InvalidDataException>(() => wrongShape.Load(path));
        Assert.Contains("'0.weight'", ex.Message);
        using var wrongKeys = new Sequential(new Conv2d(1, 4, 3), new ReLU());
        ex = Assert.Throws<InvalidDataException>(() => wrongKeys.Load(path));
        Assert.Contains("unexpected keys [1.bias, 1.num_batches_tracked, 1.running_mean, 1.running_var, 1.weight]", ex.Message);
        using var extra = new Sequential(new Conv2d(1, 4, 3), new BatchNorm2d(4), new Conv2d(4, 4, 1));
        ex = Assert.Throws<InvalidDataException>(() => extra.Load(path));
        Assert.Contains("missing keys [2.weight, 2.bias]", ex.Message);
    }
}
