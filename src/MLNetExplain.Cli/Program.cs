using System.CommandLine;
using MLNetExplain.Cli;
using Spectre.Console;

// Ctrl+C (SIGINT) and SIGTERM cancel the action's token; the jobs check it between steps and return 130. The
// timeout lets a job finish its current step (up to a batch of attributions) before the process ends anyway.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(10) };
return await MLNetExplainCommand.Create(AnsiConsole.Console).Parse(args).InvokeAsync(invocation);
