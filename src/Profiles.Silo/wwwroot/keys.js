// The API key form the pages share. api.js opens it on the node's first 401 (and again when a key is refused);
// the key is kept for this browser tab only. The form is built here, so every page asks alike; the top bar's
// "Forget key" button (#forget-key) shows while a key is kept.

import { Api } from './api.js';
import { el } from './dom.js';

/** The page's Api, asking for a key with the form; onForget(message) runs after the button dropped the key. */
export function apiWithKeyForm(onForget) {
  const form = keyForm();
  const button = document.getElementById('forget-key');
  const api = new Api({
    askForKey: async message => {
      const key = await form.ask(message);
      button.hidden = !key && !api.key;
      return key;
    },
  });
  button.hidden = !api.key;
  button.addEventListener('click', () => {
    api.key = null;
    button.hidden = true;
    onForget('The API key was forgotten. The next call will ask for one if the node needs it.');
  });
  return api;
}

function keyForm() {
  const message = el('p', { className: 'muted', attrs: { id: 'key-message' } });
  const input = el('input', { attrs: { id: 'key-input', name: 'key', type: 'password', autocomplete: 'off', spellcheck: 'false', required: '' } });
  const cancelButton = el('button', { className: 'secondary', text: 'Cancel', attrs: { id: 'key-cancel', type: 'button' } });
  const form = el('form', { attrs: { id: 'key-form', method: 'dialog' } },
    el('h2', { text: 'API key needed', attrs: { id: 'key-title' } }),
    message,
    el('label', { text: 'API key', attrs: { for: 'key-input' } }),
    input,
    el('div', { className: 'dialog-actions' }, cancelButton,
      el('button', { className: 'primary', text: 'Use this key', attrs: { id: 'key-submit', type: 'submit' } })));
  const dialog = el('dialog', { className: 'key-dialog', attrs: { id: 'key-dialog', 'aria-labelledby': 'key-title' } }, form);
  document.body.append(dialog);

  return {
    ask(text) {
      message.textContent = text;
      input.value = '';
      return new Promise(resolve => {
        const finish = key => {
          form.removeEventListener('submit', submit);
          cancelButton.removeEventListener('click', cancel);
          dialog.removeEventListener('cancel', cancel);
          if (dialog.open) dialog.close();
          resolve(key);
        };
        const submit = event => {
          event.preventDefault();
          const key = input.value.trim();
          if (key) finish(key);
        };
        const cancel = event => {
          event.preventDefault();
          finish(null);
        };
        form.addEventListener('submit', submit);
        cancelButton.addEventListener('click', cancel);
        dialog.addEventListener('cancel', cancel);
        dialog.showModal();
        input.focus();
      });
    },
  };
}
