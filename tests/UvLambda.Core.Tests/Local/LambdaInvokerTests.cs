using System.Text.Json;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Tests.Local;

/// <summary>The Python worker, with the machine's real python3.</summary>
public class LambdaInvokerTests
{
    [Fact]
    public void The_handler_gets_the_event_and_its_result_comes_back_as_json()
    {
        using var f = new LocalFunctionFixture("def handler(event, context):\n    return {'echo': event['x'], 'n': 1}\n");
        using var invoker = f.Invoker();
        var r = invoker.Invoke("""{"x": "héllo"}""");
        Assert.True(r.Succeeded, r.Error?.ToString());
        Assert.Equal("""{"echo": "h\u00e9llo", "n": 1}""", r.ResultJson);
    }

    [Fact]
    public void The_context_and_environment_are_what_Lambda_provides()
    {
        using var f = new LocalFunctionFixture("""
            import os
            def handler(event, context):
                names = ["AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_LOG_GROUP_NAME",
                         "AWS_LAMBDA_LOG_STREAM_NAME", "LAMBDA_TASK_ROOT", "_HANDLER", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_EXECUTION_ENV", "TZ"]
                return {
                    "function_name": context.function_name,
                    "function_version": context.function_version,
                    "invoked_function_arn": context.invoked_function_arn,
                    "memory_limit_in_mb": context.memory_limit_in_mb,
                    "aws_request_id": context.aws_request_id,
                    "log_group_name": context.log_group_name,
                    "log_stream_name": context.log_stream_name,
                    "remaining": context.get_remaining_time_in_millis(),
                    "env": {n: os.environ.get(n) for n in names},
                }
            """, timeoutSeconds: 5);
        using var invoker = f.Invoker();
        var r = invoker.Invoke("{}");
        Assert.True(r.Succeeded, r.Error?.ToString());
        using var doc = JsonDocument.Parse(r.ResultJson!);
        var root = doc.RootElement;
        Assert.Equal("hello", root.GetProperty("function_name").GetString());
        Assert.Equal("$LATEST", root.GetProperty("function_version").GetString());
        Assert.Equal("arn:aws:lambda:eu-west-1:123456789012:function:hello", root.GetProperty("invoked_function_arn").GetString());
        Assert.Equal("256", root.GetProperty("memory_limit_in_mb").GetString());
        Assert.Equal(r.RequestId, root.GetProperty("aws_request_id").GetString());
        Assert.Equal("/aws/lambda/hello", root.GetProperty("log_group_name").GetString());
        Assert.Matches(@"^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$", root.GetProperty("log_stream_name").GetString());
        Assert.InRange(root.GetProperty("remaining").GetInt32(), 3000, 5000);
        var env = root.GetProperty("env");
        Assert.Equal("hello", env.GetProperty("AWS_LAMBDA_FUNCTION_NAME").GetString());
        Assert.Equal("256", env.GetProperty("AWS_LAMBDA_FUNCTION_MEMORY_SIZE").GetString());
        Assert.Equal(f.Function.AppDirectory, env.GetProperty("LAMBDA_TASK_ROOT").GetString());
        Assert.Equal("app.main.handler", env.GetProperty("_HANDLER").GetString());
        Assert.Equal("eu-west-1", env.GetProperty("AWS_REGION").GetString());
        Assert.Equal("eu-west-1", env.GetProperty("AWS_DEFAULT_REGION").GetString());
        Assert.Equal("AWS_Lambda_python3.13", env.GetProperty("AWS_EXECUTION_ENV").GetString());
        Assert.Equal(":UTC", env.GetProperty("TZ").GetString());
    }

    [Fact]
    public void The_module_is_imported_once_and_prints_go_to_the_log()
    {
        using var f = new LocalFunctionFixture("COUNT = [0]\nprint('init')\ndef handler(event, context):\n    COUNT[0] += 1\n    print('call', COUNT[0])\n    return COUNT[0]\n");
        using var invoker = f.Invoker();
        Assert.Equal("1", invoker.Invoke("{}").ResultJson);
        Assert.Equal("2", invoker.Invoke("{}").ResultJson);
        Assert.Equal(1, invoker.WorkersStarted);
        SpinWait.SpinUntil(() => { lock (f.Log) return f.Log.Contains("call 2"); }, 5000);
        lock (f.Log) Assert.Equal(["init", "call 1", "call 2"], f.Log);
    }

    [Fact]
    public void Logging_reaches_the_log_in_Lambdas_format_with_the_request_id()
    {
        // Lambda's runtime puts a handler on the root logger, so the common `logger.setLevel(logging.INFO)` pattern logs
        // INFO without basicConfig; Python alone would drop it (its last-resort handler only shows WARNING and up).
        using var f = new LocalFunctionFixture("import logging\nlogger = logging.getLogger()\nlogger.setLevel(logging.INFO)\ndef handler(event, context):\n    logger.info('hello %s', 'there')\n    logging.getLogger('app').warning('careful')\n    return 1\n");
        using var invoker = f.Invoker();
        var r = invoker.Invoke("{}");
        Assert.True(r.Succeeded);
        SpinWait.SpinUntil(() => { lock (f.Log) return f.Log.Any(l => l.Contains("careful")); }, 5000);
        lock (f.Log)
        {
            Assert.Matches(@"^\[INFO\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t" + r.RequestId + @"\thello there$", Assert.Single(f.Log, l => l.Contains("hello")));
            Assert.Matches(@"^\[WARNING\]\t.*\t" + r.RequestId + @"\tcareful$", Assert.Single(f.Log, l => l.Contains("careful")));
        }
    }

    [Fact]
    public void A_raising_handler_is_a_coded_error_with_the_traceback_and_the_worker_stays_warm()
    {
        using var f = new LocalFunctionFixture("def handler(event, context):\n    if event.get('fail'):\n        raise ValueError('bad input')\n    return 'ok'\n");
        using var invoker = f.Invoker();
        var r = invoker.Invoke("""{"fail": true}""");
        Assert.False(r.Succeeded);
        Assert.Equal(ErrorCodes.HandlerRaised, r.Error!.Code);
        Assert.Equal("ValueError", r.Error.ErrorType);
        Assert.Equal("bad input", r.Error.ErrorMessage);
        Assert.Contains("Traceback (most recent call last)", r.Error.Trace);
        Assert.Contains("raise ValueError('bad input')", r.Error.Trace);
        Assert.Contains(r.Error.StackTrace, s => s.Contains("main.py"));
        using var doc = JsonDocument.Parse(r.Error.ToJson(r.RequestId));
        Assert.Equal("ValueError", doc.RootElement.GetProperty("errorType").GetString());
        Assert.Equal("\"ok\"", invoker.Invoke("{}").ResultJson);
        Assert.Equal(1, invoker.WorkersStarted);
    }

    [Fact]
    public void A_handler_past_the_timeout_is_killed_and_the_next_call_gets_a_new_worker()
    {
        using var f = new LocalFunctionFixture("import time\ndef handler(event, context):\n    time.sleep(event.get('sleep', 0))\n    return 'done'\n", timeoutSeconds: 1);
        using var invoker = f.Invoker();
        var started = DateTime.UtcNow;
        var r = invoker.Invoke("""{"sleep": 30}""");
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15));
        Assert.Equal(ErrorCodes.HandlerTimedOut, r.Error!.Code);
        Assert.Contains("Task timed out after 1.00 seconds", r.Error.ErrorMessage);
        Assert.Equal("\"done\"", invoker.Invoke("{}").ResultJson);
        Assert.Equal(2, invoker.WorkersStarted);
    }

    [Fact]
    public void A_cancelled_invocation_ends_its_worker_at_once_and_the_next_call_gets_a_new_one()
    {
        using var f = new LocalFunctionFixture("import time\ndef handler(event, context):\n    time.sleep(event.get('sleep', 0))\n    return 'done'\n", timeoutSeconds: 60);
        using var invoker = f.Invoker();
        Assert.Equal("\"done\"", invoker.Invoke("{}").ResultJson); // the worker is warm: the cancel below hits the handler, not the import
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var started = System.Diagnostics.Stopwatch.StartNew();

        Assert.ThrowsAny<OperationCanceledException>(() => invoker.Invoke("""{"sleep": 30}""", cancel.Token));

        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"took {started.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal("\"done\"", invoker.Invoke("{}").ResultJson);
        Assert.Equal(2, invoker.WorkersStarted);
    }

    [Fact]
    public void A_crashed_worker_is_reported_and_restarted()
    {
        using var f = new LocalFunctionFixture("import os, sys\ndef handler(event, context):\n    if event.get('crash'):\n        sys.stderr.write('dying\\n'); sys.stderr.flush(); os._exit(3)\n    return 1\n");
        using var invoker = f.Invoker();
        var r = invoker.Invoke("""{"crash": true}""");
        Assert.Equal(ErrorCodes.WorkerCrashed, r.Error!.Code);
        Assert.Contains("exit status 3", r.Error.ErrorMessage);
        Assert.Contains("dying", r.Error.Trace);
        Assert.Equal("1", invoker.Invoke("{}").ResultJson);
    }

    [Fact]
    public void An_import_error_or_missing_function_is_an_init_error()
    {
        using (var f = new LocalFunctionFixture("import no_such_module_xyz\n"))
        using (var invoker = f.Invoker())
        {
            var r = invoker.Invoke("{}");
            Assert.Equal(ErrorCodes.HandlerInitFailed, r.Error!.Code);
            Assert.Equal("Runtime.ImportModuleError", r.Error.ErrorType);
            Assert.Contains("Unable to import module 'app.main'", r.Error.ErrorMessage);
            Assert.Contains("no_such_module_xyz", r.Error.ErrorMessage);
        }
        using (var f = new LocalFunctionFixture("def other(event, context):\n    return 1\n"))
        using (var invoker = f.Invoker())
        {
            var r = invoker.Invoke("{}");
            Assert.Equal("Runtime.HandlerNotFound", r.Error!.ErrorType);
        }
    }

    [Fact]
    public void A_result_that_is_not_json_is_a_marshal_error()
    {
        using var f = new LocalFunctionFixture("def handler(event, context):\n    return object()\n");
        using var invoker = f.Invoker();
        var r = invoker.Invoke("{}");
        Assert.Equal("Runtime.MarshalError", r.Error!.ErrorType);
        Assert.Equal(ErrorCodes.InvalidHandlerResult, r.Error.Code);
    }

    [Fact]
    public void An_event_that_is_not_json_is_a_coded_error()
    {
        using var f = new LocalFunctionFixture("def handler(event, context):\n    return 1\n");
        using var invoker = f.Invoker();
        Assert.Equal(ErrorCodes.InvalidLambdaEvent, Assert.Throws<UvLambdaException>(() => invoker.Invoke("{nope")).Code);
    }
}
