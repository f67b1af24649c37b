using System.CommandLine;
using MLNetExplain.Cli.Demo;
using MLNetExplain.Cli.Reproduce;
using MLNetExplain.Cli.Results;
using Spectre.Console;

namespace MLNetExplain.Cli;

/// <summary>The <c>mlnetexplain</c> root command with its jobs.</summary>
internal static class MLNetExplainCommand
{
    /// <summary>The root command; jobs write to <paramref name="console"/>.</summary>
    public static RootCommand Create(IAnsiConsole console) =>
        new("MLNetExplain: image classifiers that explain themselves, in ML.NET pipelines.")
        {
            new DemoCommand(console),
            new ResultsCommand(console),
            new ReproduceCommand(console),
        };
}
