using MLNetExplain.Data.Views;
using MLNetExplain.Torch;

namespace MLNetExplain.Data.Tests;

public sealed class ImageRow
{
    [VectorType(1, 2, 3)]
    public float[] Pixels { get; set; } = [];

    [KeyType(3)]
    public uint Label { get; set; }

    [ColumnName("Name")]
    public string Title = "";

    [NoColumn]
    public int Ignored { get; set; }
}

/// <summary>A row mapper that counts its work, to prove laziness.</summary>
internal sealed class CountingMapper(string input, string output) : RowMapper
{
    public int Calls;

    public override IReadOnlyList<(string Name, DataViewType Type, DataViewSchema.Annotations? Annotations)> OutputColumns =>
        [(output, NumberDataViewType.Single, null)];

    public override IEnumerable<DataViewSchema.Column> GetDependencies(DataViewSchema schema, IReadOnlyList<int> activeOutputs) =>
        activeOutputs.Count > 0 ? [schema[input]] : [];

    public override Delegate?[] CreateGetters(DataViewRow row, bool[] activeOutputs)
    {
        if (!activeOutputs[0])
        {
            return [null];
        }

        var source = row.GetGetter<VBuffer<float>>(row.Schema[input]);
        var buffer = default(VBuffer<float>);
        return [(ValueGetter<float>)((ref float v) =>
        {
            Interlocked.Increment(ref Calls);
            source(ref buffer);
            var sum = 0f;
            foreach (var x in buffer.GetValues())
            {
                sum += x;
            }

            v = sum;
        })];
    }
}

internal static class TestData
{
    public static ImageRow[] Rows(int n) => Enumerable.Range(0, n).Select(i => new ImageRow
    {
        Pixels = Enumerable.Range(0, 6).Select(j => (float)(i * 10 + j)).ToArray(),
        Label = (uint)(i % 3 + 1),
        Title = $"row{i}",
    }).ToArray();

    public static InMemoryDataView InMemory(int n)
    {
        var rows = Rows(n);
        return new InMemoryDataView.Builder()
            .AddVector("Pixels", rows.SelectMany(r => r.Pixels).ToArray(), 1, 2, 3)
            .AddKey("Label", rows.Select(r => r.Label).ToArray(), 3, ["a", "b", "c"])
            .AddScalar("Name", rows.Select(r => r.Title).ToArray())
            .Build();
    }

    public static List<T> Column<T>(IDataView view, string name) => view.GetColumn<T>(name).ToList();
}
