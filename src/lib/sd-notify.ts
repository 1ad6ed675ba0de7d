import { createSocket } from 'unix-dgram';

/**
 * Sends a systemd notification (`READY=1`, `STOPPING=1`, ...) to $NOTIFY_SOCKET, a unix
 * datagram socket. Resolves to false when there is no socket to notify.
 */
export function sdNotify(
  state: string,
  socketPath = process.env['NOTIFY_SOCKET'],
): Promise<boolean> {
  if (!socketPath) return Promise.resolve(false);
  if (socketPath.startsWith('@')) {
    return Promise.reject(
      new Error(
        `NOTIFY_SOCKET ${socketPath} is in the abstract namespace, which berth does not support`,
      ),
    );
  }
  return new Promise((resolve, reject) => {
    const socket = createSocket('unix_dgram');
    const message = Buffer.from(state);
    socket.on('error', (err: Error) => {
      socket.close();
      reject(err);
    });
    socket.send(message, 0, message.length, socketPath, (err) => {
      socket.close();
      if (err) reject(new Error(`sd_notify to ${socketPath}: ${err.message}`));
      else resolve(true);
    });
  });
}
