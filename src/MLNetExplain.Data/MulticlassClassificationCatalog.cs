namespace MLNetExplain.Data;

/// <summary>
/// Multiclass classification: trainers (through <see cref="Trainers"/>) and evaluation, both added as extension
/// methods by the training assembly (ML.NET's MulticlassClassificationCatalog).
/// </summary>
public sealed class MulticlassClassificationCatalog
{
    internal MulticlassClassificationCatalog(ExplainContext context)
    {
        Context = context;
        Trainers = new MulticlassClassificationTrainers(context);
    }

    /// <summary>The owning context.</summary>
    public ExplainContext Context { get; }

    /// <summary>The target of trainer extension methods.</summary>
    public MulticlassClassificationTrainers Trainers { get; }
}

/// <summary>The target of multiclass trainer extension methods.</summary>
public sealed class MulticlassClassificationTrainers
{
    internal MulticlassClassificationTrainers(ExplainContext context) => Context = context;

    /// <summary>The owning context.</summary>
    public ExplainContext Context { get; }
}
