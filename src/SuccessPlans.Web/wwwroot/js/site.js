// SuccessPlans: the only script, and the pages work without it.
// On a narrow screen a wide table scrolls sideways inside itself; a keyboard user can only scroll what can take
// focus, so such a table joins the tab order (and leaves it when the screen is wide enough again).
(function () {
  function markScrollableTables() {
    document.querySelectorAll('main table').forEach(function (table) {
      if (table.scrollWidth > table.clientWidth + 1) {
        table.setAttribute('tabindex', '0');
      } else if (table.getAttribute('tabindex') === '0') {
        table.removeAttribute('tabindex');
      }
    });
  }
  document.addEventListener('DOMContentLoaded', markScrollableTables);
  window.addEventListener('resize', markScrollableTables);
})();

// A form marked data-confirm asks before it submits (closing a referral, removing a delivery), in the page's modal
// <dialog> (the layout's, translated): focus stays inside it, Escape cancels, and the question names it. Cancelling
// gives focus back to the button. Without the script the form simply posts: the server-side rules still hold; the
// question only saves a slip of the finger.
document.addEventListener('submit', function (event) {
  var form = event.target;
  var submitter = event.submitter;
  var question = (submitter && submitter.getAttribute('data-confirm')) || form.getAttribute('data-confirm');
  if (!question) return;
  if (form.dataset.confirmed === 'yes') {
    delete form.dataset.confirmed;
    return;
  }
  var dialog = document.getElementById('confirm-dialog');
  if (!dialog || typeof dialog.showModal !== 'function') {
    if (!window.confirm(question)) event.preventDefault();
    return;
  }
  event.preventDefault();
  document.getElementById('confirm-dialog-question').textContent = question;
  dialog.returnValue = '';
  dialog.onclose = function () {
    if (dialog.returnValue === 'yes') {
      form.dataset.confirmed = 'yes';
      if (form.requestSubmit) form.requestSubmit(submitter || undefined); else form.submit();
    } else if (submitter) {
      submitter.focus();
    }
  };
  dialog.showModal();
  dialog.querySelector('button[data-answer=no]').focus();
});

// The dialog's answers close it with their answer (Escape closes it with none).
document.addEventListener('click', function (event) {
  var answer = event.target instanceof Element && event.target.closest('#confirm-dialog button[data-answer]');
  if (answer) document.getElementById('confirm-dialog').close(answer.getAttribute('data-answer'));
});

// A button marked data-print prints the page (the guardian's access report); print CSS hides the navigation.
document.addEventListener('click', function (event) {
  if (event.target instanceof Element && event.target.closest('[data-print]')) window.print();
});
