// Ten pug templates of an imagined mail service (one per mail kind), each a little different.
'use strict';

function template(k) {
  return `
doctype html
html(lang="en")
  head
    title= subject + " #${k}"
    style.
      body { font-family: sans-serif; } .k${k} { color: #${(k * 99991).toString(16).slice(0, 6).padEnd(6, '0')}; }
  body
    header.k${k}
      h1 Hello #{user.name}
      if user.vip
        p.vip Thank you for being with us since #{user.since}
      else
        p Welcome back
    main
      each item, i in items
        section(class=i % 2 ? "odd" : "even")
          h2= item.title
          p!= item.html
          ul
            each tag in item.tags
              li: a(href="/tags/" + tag)= tag
          case item.kind
            when "order"
              p Order #{item.id} ships on #{item.date}
            when "invoice"
              p Invoice #{item.id}: #{item.amount} EUR
            default
              p Notice ${k}
    mixin button(label, href)
      a.button(href=href)= label
    +button("Open", "/mail/${k}")
    footer
      p You receive this mail (${k}) because you have an account.
`;
}

const TEMPLATES = Array.from({ length: 10 }, (_, k) => ({ name: `mail${k}`, source: template(k) }));

function locals(job) {
  return {
    subject: `Update ${job}`,
    user: { name: `user${job}`, vip: job % 3 === 0, since: 2019 },
    items: Array.from({ length: 3 }, (_, i) => ({ id: job * 10 + i, title: `Item ${i}`, html: '<b>new</b>', tags: ['a', 'b'], kind: i % 2 ? 'order' : 'invoice', date: '2026-01-01', amount: 12 })),
  };
}

module.exports = { TEMPLATES, locals };
