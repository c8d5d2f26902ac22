using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using UvLambda.Core.Aws;
using UvLambda.Core.Aws.Ecr;
using UvLambda.Core.Aws.Lambda;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Resilience;
using UvLambda.Core.Artifacts;

namespace UvLambda.Core.Deploy;

/// <summary>
/// Creates or updates a Lambda function (and its layer, ECR repository and function URL) idempotently: reads first,
/// writes only what differs, waits for <c>State</c>/<c>LastUpdateStatus</c> between writes. A second deploy with
/// nothing changed makes no write calls. Writes that are not idempotent (CreateFunction, PublishLayerVersion,
/// CreateFunctionUrlConfig, AddPermission, CreateRepository) are never resent blindly: after a lost answer the deployer
/// reads whether the write took effect, and an "already exists" conflict is read and converged like an update.
/// </summary>
public sealed class LambdaDeployer(ILambdaApi lambda, IEcrApi? ecr, IArtifactStore? store, IBuildLog log,
    DeployOptions? options = null, IImagePusher? imagePusher = null)
{
    private readonly DeployOptions _options = options ?? new DeployOptions();

    // Deploy's own waits, on the poll schedule: re-checks of lost writes, a new role's propagation, function states.
    private RetryPolicy Retry(int attempts) => new() { MaxAttempts = attempts, BaseDelay = _options.PollInitialDelay, MaxDelay = _options.PollMaxDelay };

    private Waiter Waiter => new() { Timeout = _options.WaitTimeout, InitialDelay = _options.PollInitialDelay, MaxDelay = _options.PollMaxDelay };

    /// <summary>The marker put in a layer version's Description, so a later deploy recognizes its content.</summary>
    public static string LayerDescription(string sha256) => "uvlambda sha256:" + sha256;

    /// <summary>SHA-256 of the bytes, base64, as Lambda reports CodeSha256.</summary>
    public static string CodeSha256(byte[] bytes) => Convert.ToBase64String(SHA256.HashData(bytes));

    /// <summary>Deploys from MSBuild-style settings with a resolved AWS session.</summary>
    public static DeployResult Run(DeploySettings settings, AwsSession session, IBuildLog log, string? projectFile = null,
        DeployOptions? options = null, IImagePusher? imagePusher = null, CancellationToken cancellationToken = default)
    {
        settings.Validate(projectFile);
        if (settings.IsImage && !string.IsNullOrEmpty(settings.ImageUri)) DeploySettings.CheckImageUri(settings.ImageUri, session.Region, projectFile);
        // A role given by name is completed with the caller's account (sts:GetCallerIdentity), as the console does.
        settings = settings with { Role = RoleArn.ResolveAsync(settings.Role, session, cancellationToken).GetAwaiter().GetResult() };
        var deployer = new LambdaDeployer(new LambdaRestClient(session, log: log), new EcrClient(session, log: log), new S3ArtifactStore(session), log, options, imagePusher);
        try
        {
            return deployer.DeployAsync(settings, cancellationToken).GetAwaiter().GetResult();
        }
        catch (UvLambdaException e) when (e.File is null && projectFile is not null)
        {
            throw e.WithFile(projectFile);
        }
    }

    public async Task<DeployResult> DeployAsync(DeploySettings s, CancellationToken ct = default)
    {
        try
        {
            return await DeployCoreAsync(s, ct).ConfigureAwait(false);
        }
        catch (AwsServiceException e)
        {
            throw Translate(e, s);
        }
        catch (AwsOutcomeUnknownException e)
        {
            throw new UvLambdaException(ErrorCodes.AwsRequestFailed,
                $"{e.Action} got no usable answer ({e.Reason}) and a read afterwards did not find its result. Publish again: deploy checks before it writes.", inner: e);
        }
    }

    private async Task<DeployResult> DeployCoreAsync(DeploySettings s, CancellationToken ct)
    {
        var result = new DeployResult();
        var name = s.FunctionName;

        // Read first: what Lambda would refuse (a blocked runtime, a create-only setting changed) fails before any write.
        var existing = await lambda.GetFunctionAsync(name, ct).ConfigureAwait(false);
        CheckBeforeWrites(s, existing);

        // Artifacts first: a layer or an image the function will point at.
        if (s.ExternalLayers.Count > 0) await CheckSizeWithExternalLayersAsync(s, ct).ConfigureAwait(false);
        var ownLayers = new List<string>();
        // Layer with no LayerPackagePath: the project has no dependency layer (nothing third-party to put in one).
        if (s.HasLayer)
            ownLayers.Add(result.LayerVersionArn = await EnsureLayerAsync(s, s.LayerName!, s.LayerPackagePath!, result, ct).ConfigureAwait(false));
        else if (s.IsLayer) log.Info($"{name}: no dependency layer to publish (the project has no third-party packages)");
        if (s.HasLocalLayer)
            ownLayers.Add(result.LocalLayerVersionArn = await EnsureLayerAsync(s, s.LocalLayerName!, s.LocalLayerPackagePath!, result, ct).ConfigureAwait(false));
        string? imageUri = null;
        if (s.IsImage) imageUri = result.ImageUri = await EnsureImageAsync(s, result, ct).ConfigureAwait(false);

        byte[]? zip = s.IsImage ? null : await File.ReadAllBytesAsync(s.PackagePath!, ct).ConfigureAwait(false);
        var sha = zip is null ? null : CodeSha256(zip);

        FunctionConfiguration current;
        // What GetFunction read of tags and reserved concurrency (none for a function created now).
        var tagged = existing;
        if (existing is null)
        {
            if (string.IsNullOrEmpty(s.Role))
                throw new UvLambdaException(ErrorCodes.DeployRoleMissing,
                    $"Function '{name}' does not exist, and creating it needs an execution role: set LambdaRole to the role's ARN (e.g. -p:LambdaRole=arn:aws:iam::123456789012:role/my-lambda-role).");
            var code = s.IsImage ? new FunctionCode(ImageUri: imageUri) : await CodeFor(s, zip!, sha!, ct).ConfigureAwait(false);
            var request = new CreateFunctionRequest
            {
                FunctionName = name,
                Role = s.Role,
                Code = code,
                PackageType = s.IsImage ? "Image" : "Zip",
                Runtime = s.IsImage ? null : s.Runtime,
                Handler = s.IsImage ? null : s.Handler,
                Description = s.Description,
                Timeout = s.Timeout,
                MemorySize = s.MemorySize,
                Architectures = [s.Architecture],
                Environment = s.Environment is { Count: > 0 } ? s.Environment : null,
                Layers = ownLayers.Count + s.ExternalLayers.Count == 0 ? null : [.. ownLayers, .. s.ExternalLayers],
                Tags = s.Tags.Count > 0 ? s.Tags : null,
                CapacityProvider = s.CapacityProvider(),
                Extras = s.Extras(),
            };
            var (created, found) = await CreateFunctionAsync(request, ct).ConfigureAwait(false);
            if (found is null)
            {
                result.Created.Add($"function {name}");
                log.Info($"{name}: created function {created!.FunctionArn} ({request.PackageType}, {(s.IsImage ? imageUri : s.Runtime)}, {s.Architecture})");
                current = await WaitReadyAsync(name, "creation", ct).ConfigureAwait(false);
            }
            // It exists after all (our create's answer was lost, or another deploy created it): converge it as an update.
            else
            {
                CheckBeforeWrites(s, found);
                tagged = found;
                current = await UpdateAsync(s, found, ownLayers, imageUri, zip, sha, result, ct).ConfigureAwait(false);
            }
        }
        else current = await UpdateAsync(s, existing, ownLayers, imageUri, zip, sha, result, ct).ConfigureAwait(false);
        result.FunctionArn = current.FunctionArn;

        await EnsureTagsAsync(s, current.FunctionArn, tagged?.Tags ?? s.Tags, result, ct).ConfigureAwait(false);
        await EnsureReservedConcurrencyAsync(s, tagged?.ReservedConcurrency, result, ct).ConfigureAwait(false);
        if (s.PublishesVersions)
        {
            var version = await EnsureVersionAsync(s, current, result, ct).ConfigureAwait(false);
            result.Version = version.Version;
            if (!string.IsNullOrEmpty(s.Alias)) await EnsureAliasAsync(s, version.Version!, result, ct).ConfigureAwait(false);
        }
        if (!string.IsNullOrEmpty(s.Alias)) await EnsureProvisionedConcurrencyAsync(s, result, ct).ConfigureAwait(false);

        if (s.FunctionUrlAuthType is { } authType) result.FunctionUrl = await EnsureFunctionUrlAsync(name, authType, result, ct).ConfigureAwait(false);
        log.Info($"{name}: deployed {result.FunctionArn} — created {Count(result.Created)}, updated {Count(result.Updated)}, skipped {Count(result.Skipped)}");
        return result;
    }

    /// <summary>Brings an existing function to the settings: code, then configuration, each only when it differs.</summary>
    private async Task<FunctionConfiguration> UpdateAsync(DeploySettings s, FunctionConfiguration existing, IReadOnlyList<string> ownLayers,
        string? imageUri, byte[]? zip, string? sha, DeployResult result, CancellationToken ct)
    {
        var name = s.FunctionName;
        FunctionConfiguration current;
        var expectedType = s.IsImage ? "Image" : "Zip";
        if (existing.PackageType != expectedType)
            throw new UvLambdaException(ErrorCodes.DeployPackageTypeMismatch,
                $"Function '{name}' has PackageType {existing.PackageType}, this project deploys {expectedType}. Lambda cannot change a function's package type: delete the function or set another LambdaFunctionName.");
        current = existing;
        if (IsBusy(current)) current = await WaitReadyAsync(name, "the previous update", ct, failOnFailed: false).ConfigureAwait(false);

        var archChanged = !current.Architectures.SequenceEqual([s.Architecture]);
        var codeSame = s.IsImage ? SameImage(current, imageUri!) : current.CodeSha256 == sha;
        if (codeSame && !archChanged)
        {
            result.Skipped.Add("code");
            log.Info($"{name}: code unchanged ({(s.IsImage ? imageUri : "CodeSha256 " + sha)}), skipped");
        }
        else
        {
            var code = s.IsImage ? new FunctionCode(ImageUri: imageUri) : await CodeFor(s, zip!, sha!, ct).ConfigureAwait(false);
            await lambda.UpdateFunctionCodeAsync(name, code, archChanged ? [s.Architecture] : null, ct).ConfigureAwait(false);
            result.Updated.Add("code");
            log.Info($"{name}: updated code ({(s.IsImage ? imageUri : "CodeSha256 " + sha)}{(archChanged ? $", architecture {string.Join(",", current.Architectures)} → {s.Architecture}" : "")})");
            current = await WaitReadyAsync(name, "the code update", ct).ConfigureAwait(false);
        }

        var update = ConfigurationChanges(s, current, ownLayers, out var changed);
        if (changed.Count == 0)
        {
            result.Skipped.Add("configuration");
            log.Info($"{name}: configuration unchanged, skipped");
        }
        else
        {
            await lambda.UpdateFunctionConfigurationAsync(update, ct).ConfigureAwait(false);
            result.Updated.Add("configuration: " + string.Join(", ", changed));
            log.Info($"{name}: updated configuration ({string.Join(", ", changed)})");
            current = await WaitReadyAsync(name, "the configuration update", ct).ConfigureAwait(false);
        }
        return current;
    }

    /// <summary>
    /// CreateFunction, checked rather than resent: after a lost answer, or a "Function already exist" conflict, the
    /// function is read. Found is the function when it already existed (then Created is null).
    /// </summary>
    private async Task<(FunctionConfiguration? Created, FunctionConfiguration? Found)> CreateFunctionAsync(CreateFunctionRequest request, CancellationToken ct)
    {
        try
        {
            var (value, fromCheck) = await CheckThenWriteAsync(() => CreateWithRoleRetryAsync(request, ct),
                () => lambda.GetFunctionAsync(request.FunctionName, ct), ct).ConfigureAwait(false);
            if (fromCheck) log.Info($"{request.FunctionName}: CreateFunction's answer was lost but the function exists; checking it against the settings");
            return fromCheck ? (null, value) : (value, null);
        }
        catch (AwsServiceException e) when (AwsServiceClient.IsAlreadyExists(e.ErrorCode, e.ServiceMessage))
        {
            log.Info($"{request.FunctionName}: already exists ({e.ServiceMessage}); checking it against the settings");
            if (await lambda.GetFunctionAsync(request.FunctionName, ct).ConfigureAwait(false) is { } found) return (null, found);
            throw;
        }
    }

    /// <summary>
    /// A write that is not idempotent: when its answer is lost, waits, reads whether it took effect (<paramref name="check"/>
    /// returns its result then: FromCheck) and only writes again when it did not, a bounded number of times.
    /// </summary>
    private Task<(T Value, bool FromCheck)> CheckThenWriteAsync<T>(Func<Task<T>> write, Func<Task<T?>> check, CancellationToken ct) where T : class =>
        Retry(_options.LostAnswerAttempts).CheckThenWriteAsync(_ => write(), _ => check(), ct,
            (e, _) => log.Detail($"{(e as AwsOutcomeUnknownException)?.Action}: {(e as AwsOutcomeUnknownException)?.Reason ?? e.Message}; checking whether it took effect before writing again"));

    private static string Count(List<string> items) => items.Count == 0 ? "nothing" : string.Join("; ", items);

    private static bool IsBusy(FunctionConfiguration c) => c.State == "Pending" || c.LastUpdateStatus == "InProgress";

    private static bool SameImage(FunctionConfiguration current, string imageUri)
    {
        if (current.ImageUri == imageUri) return true;
        var at = imageUri.IndexOf('@');
        return at >= 0 && current.ResolvedImageUri is { } resolved && resolved.EndsWith(imageUri[at..], StringComparison.Ordinal);
    }

    /// <summary>Only what differs; out the names of the fields that do.</summary>
    private static UpdateFunctionConfigurationRequest ConfigurationChanges(DeploySettings s, FunctionConfiguration c, IReadOnlyList<string> ownLayers, out List<string> changed)
    {
        changed = [];
        string? runtime = null, handler = null, role = null, description = null;
        int? memory = null, timeout = null;
        IReadOnlyDictionary<string, string>? env = null;
        IReadOnlyList<string>? layers = null;
        if (!s.IsImage)
        {
            if (c.Runtime != s.Runtime) { runtime = s.Runtime; changed.Add($"Runtime {c.Runtime} → {s.Runtime}"); }
            if (c.Handler != s.Handler) { handler = s.Handler; changed.Add($"Handler {c.Handler} → {s.Handler}"); }
        }
        if (!string.IsNullOrEmpty(s.Role) && c.Role != s.Role) { role = s.Role; changed.Add("Role"); }
        if (s.Description is not null && (c.Description ?? "") != s.Description) { description = s.Description; changed.Add("Description"); }
        if (s.MemorySize is { } m && c.MemorySize != m) { memory = m; changed.Add($"MemorySize {c.MemorySize} → {m}"); }
        if (s.Timeout is { } t && c.Timeout != t) { timeout = t; changed.Add($"Timeout {c.Timeout} → {t}"); }
        if (s.Environment is { } e && !(e.Count == c.Environment.Count && e.All(kv => c.Environment.TryGetValue(kv.Key, out var v) && v == kv.Value)))
        {
            env = e;
            changed.Add("Environment (" + string.Join(", ", e.Keys.Union(c.Environment.Keys).Where(k => !(e.TryGetValue(k, out var a) && c.Environment.TryGetValue(k, out var b) && a == b)).Order(StringComparer.Ordinal)) + ")");
        }
        if (!s.IsImage)
        {
            // The function's layers are exactly what the project declares now: its own, then its LambdaLayer items, in
            // order. A layer it no longer declares (a Layer project switched to Zip, a removed item) is detached; none
            // at all is sent as an empty list, which detaches every layer.
            List<string> desired = [.. ownLayers, .. s.ExternalLayers];
            if (!desired.SequenceEqual(c.Layers))
            {
                layers = desired;
                var added = desired.Except(c.Layers).ToList();
                var removed = c.Layers.Except(desired).ToList();
                changed.Add("Layers (" + string.Join(", ", added.Select(a => "+" + a).Concat(removed.Select(r => "-" + r)).DefaultIfEmpty("reordered")) + ")");
            }
        }
        var extras = ExtrasChanges(s, c, changed);
        return new UpdateFunctionConfigurationRequest
        {
            FunctionName = s.FunctionName, Runtime = runtime, Handler = handler, Role = role, Description = description,
            MemorySize = memory, Timeout = timeout, Environment = env, Layers = layers, Extras = extras,
        };
    }

    /// <summary>
    /// The production settings that differ. A setting the project does not declare is left as it is on the function
    /// (as <c>aws lambda update-function-configuration</c> does); docs/reference.md says so.
    /// </summary>
    private static FunctionExtras ExtrasChanges(DeploySettings s, FunctionConfiguration c, List<string> changed)
    {
        var d = s.Extras();
        var e = new FunctionExtras();
        if (d.TracingMode is { } tm && (c.TracingMode ?? "PassThrough") != tm) { e = e with { TracingMode = tm }; changed.Add($"TracingConfig {c.TracingMode ?? "PassThrough"} → {tm}"); }
        if (d.SnapStartApplyOn is { } ss && (c.SnapStartApplyOn ?? "None") != ss) { e = e with { SnapStartApplyOn = ss }; changed.Add($"SnapStart {c.SnapStartApplyOn ?? "None"} → {ss}"); }
        if (d.EphemeralStorageSize is { } es && (c.EphemeralStorageSize ?? 512) != es) { e = e with { EphemeralStorageSize = es }; changed.Add($"EphemeralStorage {c.EphemeralStorageSize ?? 512} → {es}"); }
        if (d.KmsKeyArn is { } kms && c.KmsKeyArn != kms) { e = e with { KmsKeyArn = kms }; changed.Add("KMSKeyArn"); }
        if (d.DeadLetterTargetArn is { } dlq && c.DeadLetterTargetArn != dlq) { e = e with { DeadLetterTargetArn = dlq }; changed.Add("DeadLetterConfig"); }
        if (d.SubnetIds is { } subnets && d.SecurityGroupIds is { } groups
            && !(subnets.Order().SequenceEqual(c.SubnetIds.Order()) && groups.Order().SequenceEqual(c.SecurityGroupIds.Order())))
        {
            e = e with { SubnetIds = subnets, SecurityGroupIds = groups };
            changed.Add("VpcConfig");
        }
        if (d.Logging is { } l)
        {
            var cl = c.Logging;
            if ((l.LogFormat is not null && l.LogFormat != (cl?.LogFormat ?? "Text")) || (l.LogGroup is not null && l.LogGroup != cl?.LogGroup)
                || (l.ApplicationLogLevel is not null && l.ApplicationLogLevel != cl?.ApplicationLogLevel) || (l.SystemLogLevel is not null && l.SystemLogLevel != cl?.SystemLogLevel))
            {
                e = e with { Logging = l };
                changed.Add("LoggingConfig");
            }
        }
        if (d.FileSystems is { } fs && !fs.SequenceEqual(c.FileSystems)) { e = e with { FileSystems = fs }; changed.Add("FileSystemConfigs"); }
        if (d.Durable is { } du && c.Durable is { } cd
            && ((du.ExecutionTimeout is not null && du.ExecutionTimeout != cd.ExecutionTimeout) || (du.RetentionPeriodInDays is not null && du.RetentionPeriodInDays != cd.RetentionPeriodInDays)))
        {
            e = e with { Durable = du };
            changed.Add("DurableConfig");
        }
        return e;
    }

    /// <summary>
    /// Checks that need the function (or its absence) and must fail before any write: the runtime calendar, and
    /// settings Lambda accepts only when it creates a function.
    /// </summary>
    private void CheckBeforeWrites(DeploySettings s, FunctionConfiguration? existing)
    {
        if (!s.IsImage) Projects.LambdaRuntimes.CheckDeploy(s.PythonVersion, existing is null, _options.Today(), s.FunctionName);
        if (existing is null) return;
        var cp = s.CapacityProvider();
        if (cp is not null && (existing.CapacityProvider?.CapacityProviderArn != cp.CapacityProviderArn
            || (cp.MemoryGiBPerVCpu is { } gib && existing.CapacityProvider.MemoryGiBPerVCpu != gib)
            || (cp.MaxConcurrencyPerEnvironment is { } mc && existing.CapacityProvider.MaxConcurrencyPerEnvironment != mc)))
            throw new UvLambdaException(ErrorCodes.DeployCreateOnlySetting,
                $"Function '{s.FunctionName}' exists {(existing.CapacityProvider is { } have ? $"on capacity provider {have.CapacityProviderArn}" : "without a capacity provider (Lambda Managed Instances)")}; " +
                "LambdaCapacityProviderArn, LambdaMemoryPerVCpu and LambdaMaxConcurrencyPerEnvironment are set only when Lambda creates a function. Delete the function (or deploy under another LambdaFunctionName) to change them, or set them to the function's values.");
        if (s.DurableExecutionTimeout is not null || s.DurableRetentionDays is not null)
        {
            if (existing.Durable is null)
                throw new UvLambdaException(ErrorCodes.DeployCreateOnlySetting,
                    $"Function '{s.FunctionName}' exists without durable execution; Lambda turns durable execution on only when it creates a function. Delete the function (or deploy under another LambdaFunctionName), or remove LambdaDurableExecutionTimeout and LambdaDurableRetentionDays.");
        }
    }

    /// <summary>The function's tags become exactly the declared ones (AWS's own <c>aws:</c> tags are left alone).</summary>
    private async Task EnsureTagsAsync(DeploySettings s, string functionArn, IReadOnlyDictionary<string, string> current, DeployResult result, CancellationToken ct)
    {
        var set = s.Tags.Where(kv => !(current.TryGetValue(kv.Key, out var v) && v == kv.Value)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var remove = current.Keys.Where(k => !s.Tags.ContainsKey(k) && !k.StartsWith("aws:", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        if (set.Count == 0 && remove.Count == 0)
        {
            if (s.Tags.Count > 0) result.Skipped.Add("tags");
            return;
        }
        if (set.Count > 0)
        {
            await lambda.TagResourceAsync(functionArn, set, ct).ConfigureAwait(false);
            result.Updated.Add("tags +" + string.Join(", +", set.Keys.Order(StringComparer.Ordinal)));
        }
        if (remove.Count > 0)
        {
            await lambda.UntagResourceAsync(functionArn, remove, ct).ConfigureAwait(false);
            result.Updated.Add("tags -" + string.Join(", -", remove));
        }
        log.Info($"{s.FunctionName}: tags set to exactly the declared ones ({(set.Count > 0 ? "set " + string.Join(", ", set.Keys) : "")}{(set.Count > 0 && remove.Count > 0 ? "; " : "")}{(remove.Count > 0 ? "removed " + string.Join(", ", remove) : "")})");
    }

    /// <summary>Reserved concurrency is exactly what the project declares: none declared removes a limit.</summary>
    private async Task EnsureReservedConcurrencyAsync(DeploySettings s, int? current, DeployResult result, CancellationToken ct)
    {
        if (s.ReservedConcurrency == current)
        {
            if (current is not null) result.Skipped.Add("reserved concurrency");
            return;
        }
        if (s.ReservedConcurrency is { } reserved)
        {
            await lambda.PutFunctionConcurrencyAsync(s.FunctionName, reserved, ct).ConfigureAwait(false);
            result.Updated.Add($"reserved concurrency {current?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"} → {reserved}");
        }
        else
        {
            await lambda.DeleteFunctionConcurrencyAsync(s.FunctionName, ct).ConfigureAwait(false);
            result.Updated.Add($"reserved concurrency {current} → none (LambdaReservedConcurrency no longer declared)");
        }
        log.Info($"{s.FunctionName}: {result.Updated[^1]}");
    }

    /// <summary>The marker put in a version's Description: a hash of the $LATEST code and configuration it was published from.</summary>
    public static string VersionDescription(FunctionConfiguration latest) => "uvlambda config sha256:" + Fingerprint(latest);

    /// <summary>
    /// What makes two versions the same function: code (CodeSha256, an image's digest too) and configuration — not the
    /// description, dates, revision, or fields only GetFunction returns (ImageUri), so both reads give the same hash.
    /// </summary>
    internal static string Fingerprint(FunctionConfiguration c)
    {
        var o = new JsonObject
        {
            ["CodeSha256"] = c.CodeSha256, ["Runtime"] = c.Runtime, ["Handler"] = c.Handler, ["Role"] = c.Role, ["Timeout"] = c.Timeout,
            ["MemorySize"] = c.MemorySize, ["PackageType"] = c.PackageType,
            ["Architectures"] = FunctionExtras.Strings(c.Architectures), ["Layers"] = FunctionExtras.Strings(c.Layers),
            ["Environment"] = FunctionExtras.Strings(c.Environment.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value)),
            ["TracingMode"] = c.TracingMode, ["SnapStart"] = c.SnapStartApplyOn, ["EphemeralStorage"] = c.EphemeralStorageSize,
            ["KMSKeyArn"] = c.KmsKeyArn, ["DeadLetter"] = c.DeadLetterTargetArn,
            ["Subnets"] = FunctionExtras.Strings(c.SubnetIds.Order(StringComparer.Ordinal)), ["SecurityGroups"] = FunctionExtras.Strings(c.SecurityGroupIds.Order(StringComparer.Ordinal)),
            ["Logging"] = c.Logging is { } l ? $"{l.LogFormat}|{l.LogGroup}|{l.ApplicationLogLevel}|{l.SystemLogLevel}" : null,
            ["FileSystems"] = FunctionExtras.Strings(c.FileSystems.Select(f => f.Arn + "=" + f.LocalMountPath)),
            ["Durable"] = c.Durable is { } d ? $"{d.ExecutionTimeout}|{d.RetentionPeriodInDays}" : null,
        };
        return Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(o.ToJsonString()))).ToLowerInvariant();
    }

    /// <summary>
    /// A version of what $LATEST now is: the latest published one when it was published from the same code and
    /// configuration (its Description carries their hash; one published by other tools is compared field by field),
    /// else PublishVersion — checked, not resent, after a lost answer.
    /// </summary>
    private async Task<FunctionConfiguration> EnsureVersionAsync(DeploySettings s, FunctionConfiguration latest, DeployResult result, CancellationToken ct)
    {
        var name = s.FunctionName;
        var marker = VersionDescription(latest);
        var versions = await lambda.ListVersionsByFunctionAsync(name, ct).ConfigureAwait(false);
        var newest = versions.Count > 0 ? versions[^1] : null;
        if (newest is not null && (newest.Description == marker
            || (newest.Description?.StartsWith("uvlambda config sha256:", StringComparison.Ordinal) != true && Fingerprint(newest) == Fingerprint(latest))))
        {
            result.Skipped.Add($"version {newest.Version}");
            log.Info($"{name}: code and configuration unchanged since version {newest.Version}, no new version");
            return newest;
        }
        var before = newest?.Version;
        var (published, fromCheck) = await CheckThenWriteAsync(() => lambda.PublishVersionAsync(name, latest.CodeSha256, marker, ct),
            async () => (await lambda.ListVersionsByFunctionAsync(name, ct).ConfigureAwait(false)).LastOrDefault(v => v.Description == marker && v.Version != before), ct).ConfigureAwait(false);
        if (published.Version == before)
            log.Info($"{name}: Lambda found nothing to publish since version {before} (it compares code and configuration itself)");
        else result.Created.Add($"version {published.Version}");
        log.Info($"{name}: published version {published.Version}{(fromCheck ? " — its answer was lost, found by its description" : "")}");
        return published;
    }

    /// <summary>The alias points at <paramref name="version"/>: GetAlias, then CreateAlias (checked, not resent) or UpdateAlias.</summary>
    private async Task EnsureAliasAsync(DeploySettings s, string version, DeployResult result, CancellationToken ct)
    {
        var name = s.FunctionName;
        var alias = s.Alias!;
        var current = await lambda.GetAliasAsync(name, alias, ct).ConfigureAwait(false);
        if (current is null)
        {
            try
            {
                (current, _) = await CheckThenWriteAsync(() => lambda.CreateAliasAsync(name, alias, version, ct), () => lambda.GetAliasAsync(name, alias, ct), ct).ConfigureAwait(false);
                if (current.FunctionVersion == version) result.Created.Add($"alias {alias} → {version}");
            }
            catch (AwsServiceException e) when (AwsServiceClient.IsAlreadyExists(e.ErrorCode, e.ServiceMessage))
            {
                current = await lambda.GetAliasAsync(name, alias, ct).ConfigureAwait(false);
                if (current is null) throw;
            }
        }
        else if (current.FunctionVersion == version) result.Skipped.Add($"alias {alias}");
        if (current.FunctionVersion != version)
        {
            var from = current.FunctionVersion;
            current = await lambda.UpdateAliasAsync(name, alias, version, ct).ConfigureAwait(false);
            result.Updated.Add($"alias {alias} {from} → {version}");
        }
        result.AliasArn = current.AliasArn;
        log.Info($"{name}: alias {alias} → version {version}");
    }

    /// <summary>Provisioned concurrency on the alias is exactly what the project declares (none removes it).</summary>
    private async Task EnsureProvisionedConcurrencyAsync(DeploySettings s, DeployResult result, CancellationToken ct)
    {
        var current = await lambda.GetProvisionedConcurrencyAsync(s.FunctionName, s.Alias!, ct).ConfigureAwait(false);
        if (current == s.ProvisionedConcurrency)
        {
            if (current is not null) result.Skipped.Add("provisioned concurrency");
            return;
        }
        if (s.ProvisionedConcurrency is { } wanted)
        {
            await lambda.PutProvisionedConcurrencyAsync(s.FunctionName, s.Alias!, wanted, ct).ConfigureAwait(false);
            result.Updated.Add($"provisioned concurrency on {s.Alias} {current?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"} → {wanted}");
        }
        else
        {
            await lambda.DeleteProvisionedConcurrencyAsync(s.FunctionName, s.Alias!, ct).ConfigureAwait(false);
            result.Updated.Add($"provisioned concurrency on {s.Alias} {current} → none");
        }
        log.Info($"{s.FunctionName}: {result.Updated[^1]}");
    }

    /// <summary>Inline up to Lambda's direct-upload limit; larger through S3 (LambdaS3Bucket).</summary>
    private async Task<FunctionCode> CodeFor(DeploySettings s, byte[] zip, string sha, CancellationToken ct)
    {
        if (zip.LongLength <= _options.InlineZipLimit) return new FunctionCode(ZipFile: zip);
        if (string.IsNullOrEmpty(s.S3Bucket))
            throw new UvLambdaException(ErrorCodes.DeployS3BucketRequired,
                $"The package is {ByteSize.WithBytes(zip.LongLength)}, over Lambda's {ByteSize.WithBytes(_options.InlineZipLimit)} direct-upload limit: set LambdaS3Bucket to a bucket in {s.FunctionName}'s region to upload it through S3.");
        if (store is null) throw new InvalidOperationException("no artifact store");
        var key = $"uvlambda/{s.FunctionName}/{Convert.ToHexString(Convert.FromBase64String(sha)).ToLowerInvariant()}.zip";
        var wrote = await store.UploadAsync(s.S3Bucket, key, zip, ct).ConfigureAwait(false);
        log.Info($"{s.FunctionName}: {(wrote ? "uploaded" : "already in S3:")} s3://{s.S3Bucket}/{key}");
        return new FunctionCode(S3Bucket: s.S3Bucket, S3Key: key);
    }

    /// <summary>
    /// With LambdaLayer items: the project's zips unzipped plus each external layer's (GetLayerVersion; its content's
    /// central directory through the presigned Location, else its CodeSize) against Lambda's limit, before any write.
    /// </summary>
    private async Task CheckSizeWithExternalLayersAsync(DeploySettings s, CancellationToken ct)
    {
        var parts = new List<(string Name, long Bytes)>();
        foreach (var path in new[] { s.PackagePath, s.IsLayer ? s.LayerPackagePath : null, s.HasLocalLayer ? s.LocalLayerPackagePath : null })
            if (path is not null && Archives.ZipDirectory.TryRead(path) is { } zip)
                parts.Add((Path.GetFileName(path), zip.Entries.Sum(e => e.UncompressedSize)));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        foreach (var arn in s.ExternalLayers)
        {
            var colon = arn.LastIndexOf(':');
            var version = long.Parse(arn[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            LayerVersion? layer;
            try
            {
                layer = await lambda.GetLayerVersionAsync(arn[..colon], version, ct).ConfigureAwait(false);
            }
            catch (AwsServiceException e) when (e.Status == System.Net.HttpStatusCode.Forbidden || e.ErrorCode is "AccessDeniedException")
            {
                throw new UvLambdaException(ErrorCodes.DeployExternalLayerNotFound,
                    $"LambdaLayer '{arn}' cannot be read (lambda:GetLayerVersion denied: {e.ServiceMessage}). The layer's owner must grant your account lambda:GetLayerVersion, or remove the item.", inner: e);
            }
            if (layer is null)
                throw new UvLambdaException(ErrorCodes.DeployExternalLayerNotFound,
                    $"LambdaLayer '{arn}' does not exist (GetLayerVersion found no such layer version in its region). Check the ARN's region, account, name and version.");
            var bytes = layer.Location is { } location ? await RemoteZipSize.UnzippedBytesAsync(http, location, ct).ConfigureAwait(false) : null;
            if (bytes is null) log.Detail($"{s.FunctionName}: layer {arn}: unzipped size not readable from its content location; counting its zipped size {layer.CodeSize ?? 0}");
            parts.Add((arn, bytes ?? layer.CodeSize ?? 0));
        }
        var total = parts.Sum(p => p.Bytes);
        log.Info($"{s.FunctionName}: {total:N0} bytes unzipped with {s.ExternalLayers.Count} external layer(s) (limit {Artifacts.LambdaArtifacts.UnzippedLimit:N0})");
        if (total > Artifacts.LambdaArtifacts.UnzippedLimit)
            throw new UvLambdaException(ErrorCodes.UnzippedSizeLimitExceeded,
                $"The function and its layers would be {total:N0} bytes unzipped; Lambda allows {Artifacts.LambdaArtifacts.UnzippedLimit:N0}. Parts: " +
                string.Join(", ", parts.OrderByDescending(p => p.Bytes).Select(p => $"{p.Name} {p.Bytes:N0}")) +
                ". Remove LambdaLayer items, trim the package with LambdaExclude, or deploy as a container image.");
    }

    private async Task<string> EnsureLayerAsync(DeploySettings s, string layerName, string layerPath, DeployResult result, CancellationToken ct)
    {
        var zip = await File.ReadAllBytesAsync(layerPath, ct).ConfigureAwait(false);
        var sha = CodeSha256(zip);
        if (await FindLayerVersionAsync(s, layerName, sha, ct).ConfigureAwait(false) is { } same)
        {
            result.Skipped.Add($"layer {layerName}");
            log.Info($"{s.FunctionName}: layer {layerName} unchanged, reusing version {same.Version} ({same.LayerVersionArn})");
            return same.LayerVersionArn;
        }
        var content = await CodeFor(s, zip, sha, ct).ConfigureAwait(false);
        // A lost answer may still have published the version: look for this content before publishing it again.
        var (published, fromCheck) = await CheckThenWriteAsync(
            () => lambda.PublishLayerVersionAsync(new PublishLayerVersionRequest(layerName, content, LayerDescription(sha), [s.Runtime], [s.Architecture]), ct),
            () => FindLayerVersionAsync(s, layerName, sha, ct), ct).ConfigureAwait(false);
        result.Created.Add($"layer {layerName} version {published.Version}");
        log.Info($"{s.FunctionName}: published layer {layerName} version {published.Version} ({published.LayerVersionArn}){(fromCheck ? " — its answer was lost, found by its content" : "")}");
        return published.LayerVersionArn;
    }

    /// <summary>
    /// The newest version of the layer that holds this content (its Description carries the content's hash) for the
    /// function's runtime and architecture, so each distinct content is published once. The latest version without
    /// that marker (published by other tools) is compared by CodeSha256.
    /// </summary>
    private async Task<LayerVersion?> FindLayerVersionAsync(DeploySettings s, string layerName, string sha, CancellationToken ct)
    {
        var versions = await lambda.ListLayerVersionsAsync(layerName, ct).ConfigureAwait(false);
        bool Compatible(LayerVersion v) => (v.CompatibleRuntimes.Count == 0 || v.CompatibleRuntimes.Contains(s.Runtime))
            && (v.CompatibleArchitectures.Count == 0 || v.CompatibleArchitectures.Contains(s.Architecture));
        if (versions.FirstOrDefault(v => v.Description == LayerDescription(sha) && Compatible(v)) is { } marked) return marked;
        if (versions.Count > 0 && versions[0] is var latest && Compatible(latest) && latest.Description?.StartsWith("uvlambda sha256:", StringComparison.Ordinal) != true
            && (await lambda.GetLayerVersionAsync(layerName, latest.Version, ct).ConfigureAwait(false))?.CodeSha256 == sha)
            return latest;
        return null;
    }

    private async Task<string> EnsureImageAsync(DeploySettings s, DeployResult result, CancellationToken ct)
    {
        EcrRepository? repository = null;
        if (s.RepositoryName() is { } repositoryName && ecr is not null)
        {
            // Before the push: a fresh account's first push needs the repository to exist.
            (repository, var created) = await EcrRepositories.EnsureAsync(ecr, repositoryName, s.CreateRepository, log, ct).ConfigureAwait(false);
            (created ? result.Created : result.Skipped).Add($"repository {repositoryName}");
        }
        if (!string.IsNullOrEmpty(s.ImageUri)) return s.ImageUri;
        if (imagePusher is null || repository is null || ecr is null)
            throw new UvLambdaException(ErrorCodes.DeployImageMissing,
                "No image to deploy: set LambdaImageUri to a pushed image (account.dkr.ecr.region.amazonaws.com/repo@sha256:…), or LambdaEcrRepository for the image build to push to.");
        var pushed = await imagePusher.PushAsync(repository, ecr.GetAuthorizationTokenAsync, ct).ConfigureAwait(false);
        log.Info($"{s.FunctionName}: pushed {pushed}");
        return pushed;
    }

    /// <summary>CreateFunction, sent again while the role is not assumable yet: a role created moments ago takes a few seconds to reach Lambda.</summary>
    private Task<FunctionConfiguration> CreateWithRoleRetryAsync(CreateFunctionRequest request, CancellationToken ct) =>
        Retry(_options.RolePropagationAttempts).ExecuteAsync((_, token) => lambda.CreateFunctionAsync(request, token),
            e => e is AwsServiceException { ErrorCode: "InvalidParameterValueException" } a && a.ServiceMessage.Contains("cannot be assumed", StringComparison.OrdinalIgnoreCase)
                ? RetryDecision.Refused() : RetryDecision.Permanent,
            ct, idempotent: false,
            onRetry: _ => log.Detail($"{request.FunctionName}: the role is not assumable yet (IAM propagation); retrying CreateFunction"));

    /// <summary>Polls until State is not Pending and LastUpdateStatus not InProgress; Failed is an error with Lambda's reason.</summary>
    private Task<FunctionConfiguration> WaitReadyAsync(string name, string what, CancellationToken ct, bool failOnFailed = true) =>
        Waiter.UntilAsync(async token =>
            {
                var c = await lambda.GetFunctionConfigurationAsync(name, token).ConfigureAwait(false);
                if (c.State == "Failed" && failOnFailed)
                    throw new UvLambdaException(ErrorCodes.DeployFunctionFailed,
                        $"Function '{name}' is in state Failed after {what}: {c.StateReasonCode} {c.StateReason}".TrimEnd());
                if (c.LastUpdateStatus == "Failed" && failOnFailed)
                    throw new UvLambdaException(ErrorCodes.DeployFunctionFailed,
                        $"Lambda reports the update of '{name}' Failed after {what}: {c.LastUpdateStatusReasonCode} {c.LastUpdateStatusReason}".TrimEnd());
                return c;
            },
            c => !IsBusy(c),
            c => new UvLambdaException(ErrorCodes.DeployWaitTimeout,
                $"Function '{name}' is still {(c.State == "Pending" ? "Pending" : "updating (LastUpdateStatus InProgress)")} after {what}, {_options.WaitTimeout.TotalSeconds:0} s later. Check it in the Lambda console and publish again."),
            ct,
            c => log.Detail($"{name}: waiting for {what} (State {c.State}, LastUpdateStatus {c.LastUpdateStatus})"));

    private const string PublicUrlStatement = "FunctionURLAllowPublicAccess";
    // Since October 2025 a public function URL also needs lambda:InvokeFunction, limited to calls through the URL.
    private const string PublicUrlInvokeStatement = "FunctionURLAllowInvokeAction";

    private async Task<string> EnsureFunctionUrlAsync(string name, string authType, DeployResult result, CancellationToken ct)
    {
        var url = await lambda.GetFunctionUrlConfigAsync(name, ct).ConfigureAwait(false);
        if (url is null)
        {
            try
            {
                (url, var fromCheck) = await CheckThenWriteAsync(() => lambda.CreateFunctionUrlConfigAsync(name, authType, ct),
                    () => lambda.GetFunctionUrlConfigAsync(name, ct), ct).ConfigureAwait(false);
                if (url.AuthType == authType) result.Created.Add($"function URL ({authType})");
            }
            catch (AwsServiceException e) when (AwsServiceClient.IsAlreadyExists(e.ErrorCode, e.ServiceMessage))
            {
                // Created meanwhile: read it, and update it below when its auth type is not the one declared.
                url = await lambda.GetFunctionUrlConfigAsync(name, ct).ConfigureAwait(false);
                if (url is null) throw;
            }
        }
        else if (url.AuthType == authType) result.Skipped.Add("function URL");
        if (url.AuthType != authType)
        {
            url = await lambda.UpdateFunctionUrlConfigAsync(name, authType, ct).ConfigureAwait(false);
            result.Updated.Add($"function URL auth {authType}");
        }

        if (authType == "NONE")
        {
            var permissions = new[]
            {
                new AddPermissionRequest(name, PublicUrlStatement, "lambda:InvokeFunctionUrl", "*", FunctionUrlAuthType: "NONE"),
                new AddPermissionRequest(name, PublicUrlInvokeStatement, "lambda:InvokeFunction", "*", InvokedViaFunctionUrl: true),
            };
            var policy = await lambda.GetPolicyAsync(name, ct).ConfigureAwait(false);
            foreach (var permission in permissions)
            {
                var state = Statement(policy, permission);
                if (state == StatementState.Same)
                {
                    result.Skipped.Add($"public function URL permission ({permission.Action})");
                    continue;
                }
                if (state == StatementState.Different)
                {
                    await ReplaceStatementAsync(permission, ct).ConfigureAwait(false);
                    result.Updated.Add($"public function URL permission ({permission.Action})");
                }
                else
                {
                    await AddPermissionAsync(permission, ct).ConfigureAwait(false);
                    result.Created.Add($"public function URL permission ({permission.Action})");
                }
            }
        }
        else
        {
            // AWS_IAM: the public statements a NONE URL had no longer apply; left in place, they would let any AWS
            // identity invoke the function through its URL.
            var policy = await lambda.GetPolicyAsync(name, ct).ConfigureAwait(false);
            foreach (var sid in new[] { PublicUrlStatement, PublicUrlInvokeStatement })
            {
                if (Statement(policy, new AddPermissionRequest(name, sid, "", "*")) == StatementState.Missing) continue;
                await lambda.RemovePermissionAsync(name, sid, ct).ConfigureAwait(false);
                result.Updated.Add($"removed public function URL permission {sid}");
            }
        }
        log.Info($"{name}: function URL ({authType}): {url.FunctionUrl}");
        return url.FunctionUrl;
    }

    /// <summary>
    /// AddPermission, checked rather than resent: after a lost answer the policy is read; a "statement id already
    /// exists" conflict is done when that statement is the one wanted, else it is replaced.
    /// </summary>
    private async Task AddPermissionAsync(AddPermissionRequest permission, CancellationToken ct)
    {
        try
        {
            await CheckThenWriteAsync(async () => { await lambda.AddPermissionAsync(permission, ct).ConfigureAwait(false); return permission; },
                async () => Statement(await lambda.GetPolicyAsync(permission.FunctionName, ct).ConfigureAwait(false), permission) == StatementState.Same ? permission : null,
                ct).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (AwsServiceClient.IsAlreadyExists(e.ErrorCode, e.ServiceMessage))
        {
            var state = Statement(await lambda.GetPolicyAsync(permission.FunctionName, ct).ConfigureAwait(false), permission);
            if (state == StatementState.Same) return;
            if (state == StatementState.Missing) throw;
            await ReplaceStatementAsync(permission, ct).ConfigureAwait(false);
        }
    }

    /// <summary>A statement with our Sid that grants something else: removed, then added as declared.</summary>
    private async Task ReplaceStatementAsync(AddPermissionRequest permission, CancellationToken ct)
    {
        log.Info($"{permission.FunctionName}: policy statement {permission.StatementId} differs from the one wanted; replacing it");
        await lambda.RemovePermissionAsync(permission.FunctionName, permission.StatementId, ct).ConfigureAwait(false);
        await CheckThenWriteAsync(async () => { await lambda.AddPermissionAsync(permission, ct).ConfigureAwait(false); return permission; },
            async () => Statement(await lambda.GetPolicyAsync(permission.FunctionName, ct).ConfigureAwait(false), permission) == StatementState.Same ? permission : null,
            ct).ConfigureAwait(false);
    }

    private enum StatementState { Missing, Same, Different }

    /// <summary>
    /// Whether the policy has the statement <paramref name="wanted"/> adds: same Sid, Allow, action and principal, and
    /// its condition (lambda:FunctionUrlAuthType / lambda:InvokedViaFunctionUrl). A statement without a Condition
    /// block is taken as ours: emulators such as moto keep these keys out of it.
    /// </summary>
    private static StatementState Statement(string? policy, AddPermissionRequest wanted)
    {
        if (string.IsNullOrEmpty(policy)) return StatementState.Missing;
        JsonArray? statements;
        try
        {
            statements = JsonNode.Parse(policy)?["Statement"] as JsonArray;
        }
        catch (JsonException)
        {
            return StatementState.Missing;
        }
        var mine = (statements ?? []).OfType<JsonObject>().Where(st => Text(st["Sid"]) == wanted.StatementId).ToList();
        if (mine.Count == 0) return StatementState.Missing;
        if (mine.Count > 1) return StatementState.Different;
        var st = mine[0];
        var (conditionKey, conditionValue) = wanted.FunctionUrlAuthType is { } auth ? ("lambda:FunctionUrlAuthType", auth)
            : wanted.InvokedViaFunctionUrl is { } via ? ("lambda:InvokedViaFunctionUrl", via ? "true" : "false") : (null, null);
        var same = (Text(st["Effect"]) ?? "Allow") == "Allow"
            && Values(st["Action"]).SequenceEqual([wanted.Action])
            && (Text(st["Principal"]) == wanted.Principal || (st["Principal"] is JsonObject principal && principal.Any(kv => Values(kv.Value).Contains(wanted.Principal))))
            && (st["Condition"] is not JsonObject condition || conditionKey is null
                || condition.Any(op => op.Value is JsonObject keys && keys.Any(k => k.Key == conditionKey && Values(k.Value).Any(v => string.Equals(v, conditionValue, StringComparison.OrdinalIgnoreCase)))));
        return same ? StatementState.Same : StatementState.Different;
    }

    private static string? Text(JsonNode? node) => node is JsonValue v ? v.ToString() : null;

    private static List<string> Values(JsonNode? node) => node switch
    {
        JsonArray a => a.Select(Text).OfType<string>().ToList(),
        JsonValue v => [v.ToString()],
        _ => [],
    };

    /// <summary>An API error as a coded error that says what to do.</summary>
    internal static UvLambdaException Translate(AwsServiceException e, DeploySettings s)
    {
        var message = e.ServiceMessage;
        if (e.ErrorCode is "AccessDeniedException" or "AccessDenied" or "AuthorizationError" || (e.Status == System.Net.HttpStatusCode.Forbidden && message.Contains("not authorized", StringComparison.OrdinalIgnoreCase)))
            return new UvLambdaException(ErrorCodes.AwsAccessDenied,
                $"Access denied for {e.Action}: {message} Grant {e.Action} to the deploying identity (or use AWSProfile for one that has it).", inner: e);
        if (e.ErrorCode is "UnrecognizedClientException" or "InvalidSignatureException" or "ExpiredTokenException" or "ExpiredToken" or "InvalidClientTokenId" or "SignatureDoesNotMatch")
            return new UvLambdaException(ErrorCodes.AwsInvalidCredentials,
                $"AWS rejected the credentials for {e.Action} ({e.ErrorCode}): {message} Refresh them ('aws sso login', new keys) or check AWSProfile/AWSRegion.", inner: e);
        if (e.ErrorCode == "InvalidParameterValueException")
        {
            if (message.Contains("role", StringComparison.OrdinalIgnoreCase))
                return new UvLambdaException(ErrorCodes.DeployRoleMissing,
                    $"Lambda rejected LambdaRole '{s.Role}' for {e.Action}: {message} The role must exist and trust lambda.amazonaws.com.", inner: e);
            if (message.Contains("handler", StringComparison.OrdinalIgnoreCase))
                return new UvLambdaException(ErrorCodes.DeployInvalidHandler, $"Lambda rejected LambdaHandler '{s.Handler}' for {e.Action}: {message}", inner: e);
            if (message.Contains("architecture", StringComparison.OrdinalIgnoreCase))
                return new UvLambdaException(ErrorCodes.DeployArchitectureMismatch,
                    $"Architecture mismatch for {e.Action} (LambdaArchitecture {s.Architecture}): {message} Build the layer, image and function for the same LambdaArchitecture.", inner: e);
            return new UvLambdaException(ErrorCodes.DeployInvalidParameter, $"Lambda rejected a setting in {e.Action}: {message}", inner: e);
        }
        return new UvLambdaException(ErrorCodes.AwsRequestFailed, $"{e.Action} failed: {(int)e.Status} {e.ErrorCode}: {message}", inner: e);
    }
}
