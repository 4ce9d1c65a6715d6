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

// A form marked data-confirm asks before it submits (closing a referral, removing a delivery). Without the
// script the server-side rules still hold; the question only saves a slip of the finger.
document.addEventListener('submit', function (event) {
  var form = event.target;
  var submitter = event.submitter;
  var question = (submitter && submitter.getAttribute('data-confirm')) || form.getAttribute('data-confirm');
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// A button marked data-print prints the page (the guardian's access report); print CSS hides the navigation.
document.addEventListener('click', function (event) {
  if (event.target instanceof Element && event.target.closest('[data-print]')) window.print();
});
