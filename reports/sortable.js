// Click a column head of a table.sortable to sort by it; again to reverse.
// Cells sort by their data-sort value where they have one (a number or an ISO time), else by text.
// Without JavaScript the tables stay readable in their given order.
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("thead th").forEach(function (th, column) {
    if (!th.textContent.trim()) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    var ascending = true;
    button.addEventListener("click", function () {
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var key = function (row) {
        var cell = row.cells[column];
        var value = cell.getAttribute("data-sort");
        if (value === null) { return cell.textContent.trim().toLowerCase(); }
        return isNaN(Number(value)) ? value : Number(value);  // numbers, or ISO times as text
      };
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
      });
      ascending = !ascending;
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
