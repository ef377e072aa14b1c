/* global document */
// DOM rendering only: every user-supplied string goes through textContent,
// never innerHTML, so a message cannot inject markup.

const $ = (id) => document.getElementById(id);
const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** A stable hue per name, so each person keeps their colour everywhere. */
function hue(name) {
  let h = 0;
  for (const c of name) h = (h * 31 + c.codePointAt(0)) % 360;
  return h;
}

export function avatar(el, name) {
  el.textContent = name.slice(0, 1).toUpperCase();
  el.style.setProperty('--hue', String(hue(name)));
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function showBanner(text, tone = 'warn') {
  const banner = $('banner');
  banner.textContent = text;
  banner.dataset.tone = tone;
  banner.hidden = text === '';
}

/** The room list: one button per room, marking the active one and unread counts. */
export function renderRooms(rooms, { active, joined, unread, onPick }) {
  const list = $('rooms');
  list.replaceChildren(
    ...rooms.map((room) => {
      const button = el('button', 'room-link');
      button.type = 'button';
      button.dataset.testid = 'room';
      button.dataset.room = room;
      if (room === active) button.setAttribute('aria-current', 'true');
      button.append(el('span', 'hash', '#'), el('span', 'room-name', room));
      const count = unread.get(room) ?? 0;
      if (count > 0) button.append(el('span', 'badge', String(count)));
      else if (joined.has(room)) button.append(el('span', 'dot'));
      button.setAttribute(
        'aria-label',
        `${room}${joined.has(room) ? ', joined' : ''}${count > 0 ? `, ${count} unread` : ''}`,
      );
      button.addEventListener('click', () => onPick(room));
      const item = el('li');
      item.append(button);
      return item;
    }),
  );
}

export function renderRoomHeader(room, joined) {
  $('room-title').textContent = `# ${room}`;
  $('message-label').textContent = `Message #${room}`;
  $('message-input').placeholder = joined ? `Message #${room}` : `Join #${room} to write`;
  $('leave').hidden = !joined;
  $('empty').hidden = joined;
  $('messages').hidden = !joined;
  $('message-input').disabled = !joined;
  $('composer').querySelector('button').disabled = !joined;
}

function messageNode(message, previous) {
  const item = el('li', message.own ? 'message own' : 'message');
  item.dataset.testid = 'message';
  // Consecutive lines of one author within 5 minutes read as one block.
  const continued =
    previous !== undefined && previous.author === message.author && message.sentAt - previous.sentAt < 5 * 60_000;
  if (continued) item.classList.add('continued');
  const face = el('span', 'avatar');
  face.setAttribute('aria-hidden', 'true');
  avatar(face, message.author);
  const meta = el('div', 'meta');
  const author = el('span', 'author', message.author);
  author.dataset.testid = 'message-author';
  author.style.setProperty('--hue', String(hue(message.author)));
  const when = el('time', 'when', time.format(message.sentAt));
  when.dateTime = new Date(message.sentAt).toISOString();
  meta.append(author, when);
  const content = el('div', 'content');
  content.append(meta, el('p', 'text', message.text));
  item.append(face, content);
  return item;
}

/** Replaces the shown messages (on switching rooms). */
export function renderMessages(messages) {
  const list = $('messages');
  list.replaceChildren(...messages.map((m, i) => messageNode(m, messages[i - 1])));
  list.scrollTop = list.scrollHeight;
}

/** Adds one message, keeping the view pinned to the bottom if it was there. */
export function appendMessage(message, previous) {
  const list = $('messages');
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  list.append(messageNode(message, previous));
  if (atBottom || message.own) list.scrollTop = list.scrollHeight;
}

export function renderPresence(users, me) {
  $('presence').replaceChildren(
    ...users.map((user) => {
      const item = el('li', 'person');
      item.dataset.testid = 'presence';
      item.dataset.user = user;
      const face = el('span', 'avatar small');
      face.setAttribute('aria-hidden', 'true');
      avatar(face, user);
      item.append(face, el('span', 'person-name', user));
      if (user === me) item.append(el('span', 'you', '(you)'));
      item.title = user === me ? `${user} (you)` : user;
      return item;
    }),
  );
}

export function renderTyping(users) {
  const text =
    users.length === 0
      ? ''
      : users.length === 1
        ? `${users[0]} is typing…`
        : users.length === 2
          ? `${users[0]} and ${users[1]} are typing…`
          : 'Several people are typing…';
  $('typing').textContent = text;
}
