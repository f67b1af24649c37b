namespace MLNetExplain.ML.Stages;

/// <summary>
/// One Single-vector column a <see cref="BatchedTensorMap"/> appends: its name and its per-row shape as a function
/// of the input image shape [C, H, W].
/// </summary>
internal sealed record TensorOutputColumn(string Name, Func<int[], int[]> Dimensions);
