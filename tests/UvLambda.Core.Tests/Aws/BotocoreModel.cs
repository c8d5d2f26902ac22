using System.Diagnostics;
using System.Text.Json.Nodes;

namespace UvLambda.Core.Tests.Aws;

/// <summary>
/// Checks recorded requests against AWS's own service models (botocore's, in the pyenv python3): each Lambda request
/// is matched to its operation by HTTP method and requestUri pattern, each ECR request by its X-Amz-Target, and
/// botocore.validate runs on its URI labels, query and JSON body. moto accepts fields Lambda would reject; this does not.
/// </summary>
public static class BotocoreModel
{
    public sealed record Report(IReadOnlyDictionary<string, int> Checked, IReadOnlyList<string> Errors, IReadOnlyList<string> Unmatched);

    private const string Script = """
        import json, re, sys, urllib.parse
        import botocore.session, botocore.validate
        from botocore.exceptions import ParamValidationError

        session = botocore.session.get_session()
        lam = session.get_service_model('lambda')
        ecr = session.get_service_model('ecr')
        routes = []
        for name in lam.operation_names:
            op = lam.operation_model(name)
            path = op.http['requestUri'].split('?')[0].rstrip('/')
            pattern, literal = '', 0
            for part in re.split(r'(\{[^}]+\})', path):
                if part.startswith('{'):
                    label = part[1:-1]
                    greedy = label.endswith('+')
                    pattern += '(?P<%s>%s)' % (label.rstrip('+'), '.+' if greedy else '[^/]+')
                else:
                    pattern += re.escape(part)
                    literal += len(part)
            routes.append((op.http['method'], re.compile('^' + pattern + '/?$'), literal, op))

        def scalar(text, shape):
            if shape.type_name in ('integer', 'long'): return int(text)
            if shape.type_name == 'boolean': return text.lower() == 'true'
            return text

        checked, errors, unmatched = {}, [], []
        for req in json.load(sys.stdin):
            body = json.loads(req['body']) if req['body'].strip() else {}
            target = req.get('target') or ''
            if target.startswith('AmazonEC2ContainerRegistry_V20150921.'):
                op = ecr.operation_model(target.split('.')[-1])
                params = body
            else:
                path = req['path']
                found = [(lit, m, op) for method, rx, lit, op in routes if method == req['method'] for m in [rx.match(path)] if m]
                if not found:
                    unmatched.append(req['method'] + ' ' + path)
                    continue
                _, match, op = max(found, key=lambda f: f[0])
                shape = op.input_shape
                members = shape.members if shape else {}
                params = {}
                query = urllib.parse.parse_qs(req['query'], keep_blank_values=True)
                for mname, mshape in members.items():
                    loc = mshape.serialization.get('location')
                    wire = mshape.serialization.get('name', mname)
                    if loc == 'uri':
                        params[mname] = scalar(urllib.parse.unquote(match.group(wire)), mshape)
                    elif loc == 'querystring' and wire in query:
                        values = query.pop(wire)
                        params[mname] = [scalar(v, mshape.member) for v in values] if mshape.type_name == 'list' else scalar(values[0], mshape)
                for key in query:
                    errors.append('%s: unknown query parameter %s' % (op.name, key))
                for key, value in body.items():
                    if key in members and members[key].serialization.get('location'):
                        errors.append('%s: %s belongs in the %s, not the body' % (op.name, key, members[key].serialization['location']))
                    params[key] = value
            checked[op.name] = checked.get(op.name, 0) + 1
            if op.input_shape is None:
                if params: errors.append('%s: takes no input, got %s' % (op.name, sorted(params)))
                continue
            try:
                botocore.validate.validate_parameters(params, op.input_shape)
            except ParamValidationError as e:
                errors.append('%s %s: %s' % (req['method'], req['path'], e))
        json.dump({'checked': checked, 'errors': errors, 'unmatched': unmatched}, sys.stdout)
        """;

    /// <summary>Validates the Lambda and ECR requests among <paramref name="requests"/> (others, e.g. STS or S3, are skipped).</summary>
    public static Report Validate(IEnumerable<ProxiedRequest> requests)
    {
        var input = new JsonArray();
        foreach (var r in requests)
        {
            var isLambda = r.Target is null && (r.PathOnly.StartsWith("/2015-03-31/", StringComparison.Ordinal)
                || r.PathOnly.StartsWith("/2018-10-31/", StringComparison.Ordinal) || r.PathOnly.StartsWith("/2021-10-31/", StringComparison.Ordinal)
                || r.PathOnly.StartsWith("/2017-03-31/", StringComparison.Ordinal) || r.PathOnly.StartsWith("/2017-10-31/", StringComparison.Ordinal)
                || r.PathOnly.StartsWith("/2019-09-30/", StringComparison.Ordinal));
            var isEcr = r.Target?.StartsWith("AmazonEC2ContainerRegistry_V20150921.", StringComparison.Ordinal) == true;
            if (!isLambda && !isEcr) continue;
            input.Add(new JsonObject { ["method"] = r.Method, ["path"] = r.PathOnly, ["query"] = r.Query, ["body"] = r.Body, ["target"] = r.Target });
        }
        var psi = new ProcessStartInfo("python3", ["-c", Script])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(input.ToJsonString());
        process.StandardInput.Close();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("botocore validation did not finish within 120 s");
        }
        Assert.True(process.ExitCode == 0, "botocore validation failed to run (is botocore installed in python3?):\n" + stderr.Result);
        var o = JsonNode.Parse(stdout.Result)!.AsObject();
        return new Report(
            o["checked"]!.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<int>()),
            o["errors"]!.AsArray().Select(e => e!.GetValue<string>()).ToList(),
            o["unmatched"]!.AsArray().Select(e => e!.GetValue<string>()).ToList());
    }
}
