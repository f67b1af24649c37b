namespace MLNetExplain.Evaluation;

/// <summary>Which features ROAR-style retraining replaces (Hooker et al. 2019).</summary>
public enum RoarMode
{
    /// <summary>RemOve And Retrain: the most important fraction of the features is replaced.</summary>
    Roar,

    /// <summary>Keep And Retrain: the least important fraction is replaced, so the most important features stay.</summary>
    Kar,
}
