// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
//
// Starts telegram-test-api on 127.0.0.1 for the bot's end-to-end tests. The npm package ships
// its library only (no start script), so this is the program CTest runs:
//
//     node tests/fakes/telegram/start.js <port>
//
// The bot talks to http://127.0.0.1:<port>/bot<token>/<method>; a test plays the user through
// the emulator's client routes (/sendMessage, /sendCommand, /sendCallback, /getUpdates,
// /getUpdatesHistory). Stopped by SIGTERM (tests/fakes/fixture.py).
'use strict';

const TelegramServer = require('telegram-test-api');

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: node start.js <port>');
  process.exit(2);
}

// Unread records are kept for 10 minutes: longer than any test.
const server = new TelegramServer({ host: '127.0.0.1', port, storeTimeout: 600 });

server.start().then(() => {
  console.log(`telegram-test-api on ${server.config.apiURL} (pid ${process.pid})`);
});

async function stop() {
  await server.stop();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
