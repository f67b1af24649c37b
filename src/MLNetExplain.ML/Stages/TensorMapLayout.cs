using Microsoft.ML;

namespace MLNetExplain.ML.Stages;

/// <summary>A <see cref="BatchedTensorMap"/> bound to one input schema: the resolved columns and the output schema.</summary>
internal sealed record TensorMapLayout(
    BatchedTensorMap Map,
    DataViewSchema InputSchema,
    DataViewSchema OutputSchema,
    DataViewSchema.Column Input,
    int[] InputDimensions,
    DataViewSchema.Column? Target,
    int TargetClasses,
    IReadOnlyList<TensorMapLayout.Output> Outputs)
{
    /// <summary>Values per image.</summary>
    public int InputSize => InputDimensions[0] * InputDimensions[1] * InputDimensions[2];

    /// <summary>Whether a column index of <see cref="OutputSchema"/> is one the map computes.</summary>
    public bool IsComputed(int index) => index >= InputSchema.Count;

    /// <summary>The input columns a reader of <paramref name="columns"/> (output schema) needs.</summary>
    public IEnumerable<DataViewSchema.Column> Dependencies(IEnumerable<DataViewSchema.Column> columns)
    {
        var needed = new SortedSet<int>();
        foreach (var column in columns)
        {
            if (IsComputed(column.Index))
            {
                needed.Add(Input.Index);
                if (Target is { } target)
                {
                    needed.Add(target.Index);
                }
            }
            else
            {
                needed.Add(column.Index);
            }
        }

        return needed.Select(i => InputSchema[i]);
    }

    /// <summary>One appended column: its name, index in <see cref="OutputSchema"/>, values per row, and whether it is a key.</summary>
    public sealed record Output(string Name, int Index, int Size, bool IsKey = false);
}
