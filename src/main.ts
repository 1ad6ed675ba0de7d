// berth: `berth daemon` runs the daemon; every other subcommand is the client (S1.1).
// The only module that reaches both sides; each is loaded only when used.

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'daemon') {
    const { runDaemon } = await import('./daemon/main.js');
    return runDaemon(argv.slice(1));
  }
  const { runCli } = await import('./cli/main.js');
  return runCli(argv);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `berth: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  },
);
