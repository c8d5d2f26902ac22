using Microsoft.Build.Framework;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Build.Tasks.Tests;

public class UvLambdaTaskTests
{
    private sealed class ThrowingTask(Exception exception) : UvLambdaTask
    {
        private protected override void ExecuteCore() => throw exception;
    }

    [Fact]
    public void An_unexpected_exception_is_one_UVL9001_error_naming_task_and_project_with_the_stack_trace_only_at_low_importance()
    {
        var engine = new RecordingBuildEngine();
        var exception = new KeyNotFoundException("The given key 'missing' was not present in the dictionary.");
        var task = new ThrowingTask(exception) { BuildEngine = engine, ProjectFile = "/src/app/app.pyproj" };

        Assert.False(task.Execute());

        var error = Assert.Single(engine.Errors);
        Assert.Equal(ErrorCodes.InternalError, error.Code);
        Assert.Equal("/src/app/app.pyproj", error.File);
        Assert.Contains(nameof(ThrowingTask), error.Message, StringComparison.Ordinal);
        Assert.Contains("app.pyproj", error.Message, StringComparison.Ordinal);
        Assert.Contains(typeof(KeyNotFoundException).FullName!, error.Message, StringComparison.Ordinal);
        Assert.Contains("report", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", error.Message, StringComparison.Ordinal);
        Assert.NotEmpty(exception.StackTrace!);

        var frames = engine.Messages.Where(m => m.Message!.Contains("   at ", StringComparison.Ordinal)).ToList();
        var trace = Assert.Single(frames);
        Assert.Equal(MessageImportance.Low, trace.Importance);
        Assert.Contains("ThrowingTask.ExecuteCore", trace.Message, StringComparison.Ordinal); // rethrown there, where the trace starts
        Assert.DoesNotContain(engine.Messages, m => m.Importance != MessageImportance.Low && m.Message!.Contains("   at ", StringComparison.Ordinal));
        Assert.Empty(engine.Warnings);
    }

    [Fact]
    public void Without_a_ProjectFile_the_internal_error_names_the_project_of_the_task_node()
    {
        var engine = new RecordingBuildEngine();
        var task = new ThrowingTask(new ArgumentException("bad\nvalue")) { BuildEngine = engine };

        Assert.False(task.Execute());

        var error = Assert.Single(engine.Errors);
        Assert.Equal(ErrorCodes.InternalError, error.Code);
        Assert.Equal(engine.ProjectFileOfTaskNode, error.File);
        Assert.Contains(engine.ProjectFileOfTaskNode, error.Message, StringComparison.Ordinal);
        Assert.Contains("bad value", error.Message, StringComparison.Ordinal); // one line, even for a multi-line message
    }

    [Fact]
    public void A_user_error_stays_its_own_code_and_is_not_an_internal_error()
    {
        var engine = new RecordingBuildEngine();
        var task = new ThrowingTask(new UvLambdaException(ErrorCodes.UnreadableWheel, "Wheel 'x' is not a readable zip file.")) { BuildEngine = engine, ProjectFile = "p.pyproj" };

        Assert.False(task.Execute());

        Assert.Equal(ErrorCodes.UnreadableWheel, Assert.Single(engine.Errors).Code);
        Assert.DoesNotContain(engine.Messages, m => m.Message!.Contains(ErrorCodes.InternalError, StringComparison.Ordinal));
    }

    [Fact]
    public void Coded_errors_wrapped_by_a_parallel_loop_stay_their_own_codes_once_each()
    {
        var engine = new RecordingBuildEngine();
        var failed = new UvLambdaException(ErrorCodes.BytecodeCompileFailed, "Compiling bytecode with 'python3.11' failed (exit code 7).");
        var wrapped = new AggregateException(failed, new AggregateException(failed));
        var task = new ThrowingTask(wrapped) { BuildEngine = engine, ProjectFile = "p.pyproj" };

        Assert.False(task.Execute());

        var error = Assert.Single(engine.Errors);
        Assert.Equal(ErrorCodes.BytecodeCompileFailed, error.Code);
        Assert.Equal("p.pyproj", error.File);
    }

    [Fact]
    public void An_aggregate_holding_anything_but_coded_errors_is_still_an_internal_error()
    {
        var engine = new RecordingBuildEngine();
        var wrapped = new AggregateException(new UvLambdaException(ErrorCodes.BytecodeCompileFailed, "x"), new InvalidOperationException("bug"));
        var task = new ThrowingTask(wrapped) { BuildEngine = engine, ProjectFile = "p.pyproj" };

        Assert.False(task.Execute());

        Assert.Equal(ErrorCodes.InternalError, Assert.Single(engine.Errors).Code);
    }
}
