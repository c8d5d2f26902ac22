using System.Net;
using System.Net.Sockets;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Local;

/// <summary>
/// Accepts connections until cancelled, serving each on its own task, then stops the listener and waits for the
/// connections in flight — shared by the API Gateway emulator and the script-handler proxy.
/// </summary>
public static class ConnectionLoop
{
    /// <summary>A started listener on 127.0.0.1 (<paramref name="port"/> 0: any free port); a taken port is UVL5202.</summary>
    public static TcpListener Listen(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new UvLambdaException(ErrorCodes.LocalPortInUse,
                $"Port {port} on 127.0.0.1 is in use. Stop what uses it, or pick another with -p:LambdaLocalPort=NNNN.");
        }
        return listener;
    }

    public static async Task RunAsync(TcpListener listener, Func<TcpClient, CancellationToken, Task> serve, CancellationToken cancellationToken)
    {
        var connections = new List<Task>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var client = await listener.AcceptTcpClientAsync(cancellationToken).ConfigureAwait(false);
                connections.RemoveAll(t => t.IsCompleted);
                connections.Add(Task.Run(() => serve(client, cancellationToken), CancellationToken.None));
            }
        }
        catch (OperationCanceledException) { }
        finally
        {
            listener.Stop();
            await Task.WhenAll(connections).ConfigureAwait(false);
        }
    }
}
