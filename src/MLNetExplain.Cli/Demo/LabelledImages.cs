using Microsoft.ML;
using Microsoft.ML.Data;
using static TorchSharp.torch;

namespace MLNetExplain.Cli.Demo;

/// <summary>
/// Rows of an image data view as tensors, for the tensor-level measurements (latency, deletion curves, PGD
/// robust accuracy) that have no ML.NET stage: images float32 [N, C, H, W] and 0-based labels int64 [N].
/// </summary>
internal static class LabelledImages
{
    /// <summary>Reads the first <paramref name="count"/> rows of <c>Features</c> (a <c>Vector&lt;Single, C, H, W&gt;</c>) and <c>Label</c> (a key).</summary>
    public static (Tensor Images, Tensor Labels) Read(MLContext mlContext, IDataView data, int count)
    {
        var rows = mlContext.Data.TakeRows(data, count);
        if (rows.Schema["Features"].Type is not VectorDataViewType { Dimensions: [var c, var h, var w] })
        {
            throw new ArgumentException($"Column 'Features' has type {rows.Schema["Features"].Type}; expected a Vector<Single, C, H, W>.", nameof(data));
        }

        var pixels = rows.GetColumn<float[]>("Features").SelectMany(p => p).ToArray();
        // ML.NET keys count from 1; the tensor API takes 0-based class indices.
        var labels = rows.GetColumn<uint>("Label").Select(k => (long)k - 1).ToArray();
        return (tensor(pixels, [labels.Length, c, h, w]), tensor(labels));
    }
}
