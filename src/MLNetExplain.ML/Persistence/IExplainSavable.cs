namespace MLNetExplain.ML.Persistence;

/// <summary>
/// An MLNetExplain stage that <see cref="ExplainerModelOperations.SaveWithExplainers"/> can write: settings as JSON
/// and tensors as safetensors under its own folder of the file, read back by the loader registered for its
/// <see cref="Kind"/> in <see cref="ExplainStageLoaders"/>.
/// </summary>
internal interface IExplainSavable
{
    /// <summary>The loader's name in the file's manifest, e.g. "Attribution".</summary>
    string Kind { get; }

    /// <summary>Throws <see cref="NotSupportedException"/> naming what cannot be saved; called for every stage before anything is written.</summary>
    void CheckSavable();

    /// <summary>Writes the stage.</summary>
    void Save(ExplainStageWriter writer);
}
