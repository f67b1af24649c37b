using System.Globalization;

namespace MLNetExplain.Data;

/// <summary>Text forms of column types for model files: "Single", "Key:10", "Vector:Single:1,28,28", "Vector:Byte:".</summary>
internal static class DataViewTypeFormat
{
    public static string Format(DataViewType type) => type switch
    {
        KeyDataViewType k => $"Key:{k.Count}",
        VectorDataViewType v => $"Vector:{Format(v.ItemType)}:{string.Join(",", v.Dimensions)}",
        _ => type.ToString(),
    };

    public static DataViewType Parse(string text)
    {
        if (text.StartsWith("Vector:", StringComparison.Ordinal))
        {
            var last = text.LastIndexOf(':');
            var item = Parse(text[7..last]) as PrimitiveDataViewType ?? throw Bad(text);
            var dims = text[(last + 1)..];
            return new VectorDataViewType(item, dims.Length == 0 ? [] : dims.Split(',').Select(d => int.Parse(d, CultureInfo.InvariantCulture)).ToArray());
        }

        if (text.StartsWith("Key:", StringComparison.Ordinal))
        {
            return new KeyDataViewType(ulong.Parse(text[4..], CultureInfo.InvariantCulture));
        }

        return text switch
        {
            "Single" => NumberDataViewType.Single,
            "Double" => NumberDataViewType.Double,
            "Int32" => NumberDataViewType.Int32,
            "Int64" => NumberDataViewType.Int64,
            "Byte" => NumberDataViewType.Byte,
            "Boolean" => BooleanDataViewType.Instance,
            "Text" => TextDataViewType.Instance,
            _ => throw Bad(text),
        };
    }

    private static FormatException Bad(string text) => new($"Unknown column type '{text}'.");
}
