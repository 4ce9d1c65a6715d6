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
