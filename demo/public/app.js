/* global document */
// Wires the page: sign-in form, room list, composer, and the chat's events.
import { Chat } from './chat.js';
import * as view from './view.js';

const $ = (id) => document.getElementById(id);
/** Messages kept per room; older ones scroll away for good. */
const KEEP = 500;

const state = {
  chat: undefined,
  rooms: [],
  active: undefined,
  messages: new Map(),
  unread: new Map(),
};

$('sign-in-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = $('name-input');
  const name = input.value.trim();
  const error = $('sign-in-error');
  const button = event.submitter ?? $('sign-in-form').querySelector('button');
  error.textContent = '';
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(name)) {
    error.textContent = 'Use 1–32 letters, digits, _ or -.';
    input.setAttribute('aria-invalid', 'true');
    input.focus();
    return;
  }
  input.removeAttribute('aria-invalid');
  button.disabled = true;
  button.textContent = 'Signing in…';
  try {
    await signIn(name);
  } catch (err) {
    error.textContent = `Could not sign in: ${err.message}`;
    input.focus();
  } finally {
    button.disabled = false;
    button.textContent = 'Sign in';
  }
});

async function signIn(name) {
  const chat = await Chat.start(name);
  state.chat = chat;
  state.rooms = chat.config.rooms.map((r) => r.name);
  state.messages = new Map(state.rooms.map((room) => [room, []]));
  state.unread = new Map();
  chat.addEventListener('message', (e) => onMessage(e.detail));
  chat.addEventListener('presence', (e) => e.detail.room === state.active && view.renderPresence(e.detail.users, name));
  chat.addEventListener('typing', (e) => e.detail.room === state.active && view.renderTyping(e.detail.users));
  chat.addEventListener('status', (e) => onStatus(e.detail));
  $('me').textContent = name;
  view.avatar($('me-avatar'), name);
  $('sign-in-view').hidden = true;
  $('chat-view').hidden = false;
  await pick(state.rooms[0]);
}

/** Shows `room`, joining it first if needed. */
async function pick(room) {
  const chat = state.chat;
  state.active = room;
  state.unread.delete(room);
  const joining = !chat.rooms.has(room);
  view.renderRoomHeader(room, true);
  view.renderMessages(state.messages.get(room));
  view.renderTyping([]);
  renderRooms();
  $('message-input').focus();
  if (joining) {
    // History arrives through the same consumer as live messages.
    state.messages.set(room, []);
    view.renderMessages([]);
    await chat.join(room);
    renderRooms();
  }
  view.renderPresence(chat.present(room), chat.user);
}

async function leave() {
  const room = state.active;
  await state.chat.leave(room);
  state.messages.set(room, []);
  view.renderRoomHeader(room, false);
  view.renderPresence([], state.chat.user);
  view.renderTyping([]);
  renderRooms();
  $('join').focus();
}

function renderRooms() {
  view.renderRooms(state.rooms, {
    active: state.active,
    joined: state.chat.rooms,
    unread: state.unread,
    onPick: (room) => void pick(room),
  });
}

function onMessage(message) {
  const list = state.messages.get(message.room);
  if (list === undefined) return;
  const previous = list.at(-1);
  list.push(message);
  if (list.length > KEEP) list.splice(0, list.length - KEEP);
  if (message.room === state.active) view.appendMessage(message, previous);
  else {
    state.unread.set(message.room, (state.unread.get(message.room) ?? 0) + 1);
    renderRooms();
  }
}

function onStatus({ state: status, detail }) {
  if (status === 'reconnecting') {
    // Counted on the page for tests and curious readers of the DOM.
    document.body.dataset.reconnects = String(Number(document.body.dataset.reconnects ?? 0) + 1);
    view.showBanner(`Connection lost, reconnecting… (attempt ${detail})`);
  } else if (status === 'online') view.showBanner('');
  else if (status === 'closed' && state.chat !== undefined) {
    view.showBanner(`Disconnected${detail ? `: ${detail}` : ''}. Sign in again to continue.`, 'error');
  }
}

$('composer').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = $('message-input');
  const text = input.value.trim();
  if (text === '' || state.chat === undefined) return;
  input.value = '';
  input.focus();
  try {
    await state.chat.send(state.active, text);
  } catch (err) {
    // Give the text back rather than lose it.
    if (input.value === '') input.value = text;
    view.showBanner(`Not sent: ${err.message}`, 'error');
  }
});

$('message-input').addEventListener('input', () => state.chat?.typing(state.active));
$('leave').addEventListener('click', () => void leave());
$('join').addEventListener('click', () => void pick(state.active));

$('sign-out').addEventListener('click', async () => {
  const chat = state.chat;
  state.chat = undefined;
  await chat?.close();
  view.showBanner('');
  $('chat-view').hidden = true;
  $('sign-in-view').hidden = false;
  $('messages').replaceChildren();
  $('name-input').focus();
});

$('name-input').focus();
