using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.Engine;
using MLNetExplain.ML.Stages;
using static TorchSharp.torch;

namespace MLNetExplain.ML.Trainers;

/// <summary>The Score and PredictedLabel columns every fitted classifier appends, as ML.NET's multiclass trainers do.</summary>
internal static class ClassifierOutputs
{
    /// <summary>Score (probabilities, slot names = class names) and PredictedLabel (key, key values = class names).</summary>
    public static TensorOutputColumn[] Columns(string score, string predictedLabel, int classes, IReadOnlyList<string>? classNames) =>
    [
        new TensorOutputColumn(score, _ => [classes]) { IsImageMap = false, Annotations = Names(AnnotationSlotNames, classNames) },
        new TensorOutputColumn(predictedLabel, _ => [1]) { KeyCount = classes, Annotations = Names(AnnotationKeyValues, classNames) },
    ];

    /// <summary>Softmax probabilities and the arg-max class of a batch, computed without gradients on the model's device.</summary>
    public static Tensor[] Score(nn.Module<Tensor, Tensor> model, Tensor images)
    {
        using var noGrad = no_grad();
        var logits = model.forward(images.to(ModuleDevice.Of(model)));
        return Score(logits);
    }

    /// <summary>Probabilities and arg-max classes (as float) of <paramref name="logits"/>, on the CPU.</summary>
    public static Tensor[] Score(Tensor logits) =>
        [logits.softmax(1).cpu(), logits.argmax(1).to_type(ScalarType.Float32).cpu()];

    private const string AnnotationSlotNames = "SlotNames";
    private const string AnnotationKeyValues = "KeyValues";

    private static DataViewSchema.Annotations? Names(string kind, IReadOnlyList<string>? names)
    {
        if (names is null)
        {
            return null;
        }

        var builder = new DataViewSchema.Annotations.Builder();
        var values = new VBuffer<ReadOnlyMemory<char>>(names.Count, names.Select(n => n.AsMemory()).ToArray());
        builder.Add(kind, new VectorDataViewType(TextDataViewType.Instance, names.Count), (ref VBuffer<ReadOnlyMemory<char>> v) => values.CopyTo(ref v));
        return builder.ToAnnotations();
    }
}
