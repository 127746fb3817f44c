/* The timeline page: filters by person and topic over the chart and the list (the form is
   hidden without JavaScript, when everything shows), and an event linked to (#ev-…) opens. */
(function () {
  "use strict";

  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    var details = target && target.querySelector("details");
    if (details) details.open = true;
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();

  var form = document.getElementById("tl-filters");
  if (!form) return;
  form.hidden = false;
  var marks = document.querySelectorAll(".tl-mark");
  var events = document.querySelectorAll("li.event[data-topics]");

  function matches(element, person, topic) {
    var people = (element.getAttribute("data-people") || "").split(" ");
    var topics = (element.getAttribute("data-topics") || "").split(" ");
    return (!person || people.indexOf(person) >= 0) && (!topic || topics.indexOf(topic) >= 0);
  }

  function apply() {
    var person = form.elements.person.value;
    var topic = form.elements.topic.value;
    var i;
    for (i = 0; i < marks.length; i++) {
      marks[i].classList.toggle("dimmed", !matches(marks[i], person, topic));
    }
    for (i = 0; i < events.length; i++) {
      events[i].hidden = !matches(events[i], person, topic);
    }
  }
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
})();
