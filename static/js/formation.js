/* The team formation board (templates/redesign_projects/team_formation.html). Without this
   file the board works as a form: each person's select names their team, and "Update the
   balance" redraws it. With it, a changed select (keyboard) or a card dropped on a column
   (mouse) moves the card at once, the balance of both teams is recomputed, the lead list offers
   only the team's clinicians, and the move is read out through the live region. The words of
   the balance are those of redesign_projects/formation.py (Balance.mix, Balance.warnings). */
(function () {
  "use strict";

  var board = document.querySelector("[data-formation-board]");
  if (!board) return;
  var statusBox = board.querySelector("[data-board-status]");

  function columns() {
    return Array.prototype.slice.call(board.querySelectorAll("[data-column]"));
  }
  function columnFor(value) {
    return columns().filter(function (c) { return c.getAttribute("data-column") === value; })[0];
  }
  function cardsIn(column) {
    return Array.prototype.slice.call(column.querySelectorAll("[data-person]"));
  }
  function teamName(column) {
    var input = column.querySelector("[data-team-name]");
    if (!input) return "Not placed";
    return input.value.trim() || "Team " + (Number(column.getAttribute("data-column")) + 1);
  }
  function count(n, one, many) {
    return n + " " + (n === 1 ? one : many || one + "s");
  }

  function balance(column) {
    var cards = cardsIn(column);
    var clinicians = cards.filter(function (c) { return c.getAttribute("data-clinician"); });
    var managers = cards.filter(function (c) { return c.getAttribute("data-manager"); }).length;
    var departments = {};
    cards.forEach(function (c) {
      var d = (c.getAttribute("data-department") || "").trim().toLowerCase();
      if (d) departments[d] = true;
    });
    var lead = column.querySelector("[data-lead]");
    var hasLead = lead && cards.some(function (c) { return c.getAttribute("data-person") === lead.value; });
    var mix = cards.length
      ? count(cards.length, "person", "people") + ": " + count(clinicians.length, "clinician") +
        ", " + count(managers, "manager") + ", " +
        count(cards.length - clinicians.length - managers, "other", "others") + "; " +
        count(Object.keys(departments).length, "department")
      : "Nobody yet";
    var warning = "";
    if (cards.length && !clinicians.length) warning = "No clinician: nobody here can lead the team.";
    else if (cards.length && !hasLead) warning = "No clinical lead chosen from this team.";
    return { mix: mix, warning: warning, clinicians: clinicians };
  }

  /* The lead list offers the clinicians in this column; a lead who left (or a team without
     one that gains a clinician) gets the first clinician there by name, and the change is
     reported. When the page loads (no notes) nothing changes: a lead the server refused
     stays, next to its error. */
  function refreshLead(column, notes) {
    var lead = column.querySelector("[data-lead]");
    if (!lead) return;
    var here = {};
    cardsIn(column).forEach(function (c) { here[c.getAttribute("data-person")] = c; });
    Array.prototype.forEach.call(lead.options, function (option) {
      option.disabled = option.value !== "" && !here[option.value];
      option.hidden = option.disabled;
    });
    if (notes && !here[lead.value]) {
      var next = Array.prototype.filter.call(lead.options, function (o) { return !o.disabled && o.value; })[0];
      if (next) {
        lead.value = next.value;
        notes.push(teamName(column) + " is now led by " + next.textContent + ".");
      } else if (lead.value) {
        lead.value = "";
        notes.push(teamName(column) + " has no clinical lead.");
      }
    }
    cardsIn(column).forEach(function (c) {
      var badge = c.querySelector("[data-lead-badge]");
      if (badge) badge.hidden = c.getAttribute("data-person") !== lead.value;
    });
  }

  function refresh(column, notes) {
    refreshLead(column, notes);
    var result = balance(column);
    var mix = column.querySelector("[data-mix]");
    if (mix) mix.textContent = result.mix;
    var warnings = column.querySelector("[data-warnings]");
    if (warnings) {
      warnings.hidden = !result.warning;
      warnings.textContent = result.warning ? "⚠ " + result.warning : "";
    }
    var unplaced = column.querySelector("[data-unplaced-count]");
    if (unplaced) unplaced.textContent = String(cardsIn(column).length);
    return result;
  }

  function announce(text) {
    // Emptied first so the same words twice are read twice.
    statusBox.textContent = "";
    window.setTimeout(function () { statusBox.textContent = text; }, 50);
  }

  /* A moved card lands in name order among the others: data-order is its place in the
     server's order of names. */
  function place(card, column) {
    var list = column.querySelector("[data-cards]");
    var order = Number(card.getAttribute("data-order"));
    var after = cardsIn(column).filter(function (c) { return Number(c.getAttribute("data-order")) > order; })[0];
    list.insertBefore(card, after || null);
  }

  function move(card, value) {
    var from = card.closest("[data-column]");
    var to = columnFor(value);
    if (!to || from === to) return;
    var select = card.querySelector("[data-move]");
    var hadFocus = document.activeElement === select;
    place(card, to);
    select.value = value;
    if (hadFocus) select.focus();
    var notes = [];
    var name = card.getAttribute("data-name");
    notes.push(value === "" ? name + " is not placed." : name + " moved to " + teamName(to) + ".");
    refresh(from, notes);
    var result = refresh(to, notes);
    if (value !== "") notes.push(teamName(to) + ": " + result.mix + "." + (result.warning ? " " + result.warning : ""));
    var fromName = teamName(from);
    if (from.getAttribute("data-column") !== "") notes.push(fromName + ": " + balance(from).mix + ".");
    announce(notes.join(" "));
  }

  board.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("[data-move]")) {
      move(target.closest("[data-person]"), target.value);
    } else if (target.matches("[data-lead]")) {
      var column = target.closest("[data-column]");
      refresh(column);
      var lead = target.options[target.selectedIndex];
      announce(teamName(column) + (target.value ? " is led by " + lead.textContent + "." : " has no clinical lead."));
    }
  });

  // A team's new name shows in its heading and in everyone's list of teams as it is typed.
  board.addEventListener("input", function (event) {
    if (!event.target.matches("[data-team-name]")) return;
    var column = event.target.closest("[data-column]");
    var value = column.getAttribute("data-column");
    column.querySelector("[data-column-heading]").textContent = teamName(column);
    board.querySelectorAll("[data-move] option[value='" + value + "']").forEach(function (option) {
      option.textContent = teamName(column);
    });
  });

  // Drag and drop with a mouse (the selects are the keyboard's way, and work on touch).
  var dragged = null;
  board.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest("[data-person]");
    if (!card) return;
    dragged = card;
    card.classList.add("board-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-person"));
  });
  board.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("board-dragging");
    dragged = null;
    columns().forEach(function (c) { c.classList.remove("board-drop-target"); });
  });
  board.addEventListener("dragover", function (event) {
    var column = event.target.closest && event.target.closest("[data-column]");
    if (!dragged || !column) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    columns().forEach(function (c) { c.classList.toggle("board-drop-target", c === column); });
  });
  board.addEventListener("drop", function (event) {
    var column = event.target.closest && event.target.closest("[data-column]");
    if (!dragged || !column) return;
    event.preventDefault();
    move(dragged, column.getAttribute("data-column"));
  });

  board.querySelectorAll("[data-no-js-only]").forEach(function (element) { element.hidden = true; });
  columns().forEach(function (column) { refresh(column); });
})();
