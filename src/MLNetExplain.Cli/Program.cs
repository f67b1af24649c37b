using MLNetExplain.Cli;
using Spectre.Console;

// System.CommandLine cancels the action's token on Ctrl+C (SIGINT) and SIGTERM; the jobs check it between steps.
return await MLNetExplainCommand.Create(AnsiConsole.Console).Parse(args).InvokeAsync();
